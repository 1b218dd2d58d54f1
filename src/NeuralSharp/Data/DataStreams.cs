using System.IO.Compression;

namespace NeuralSharp.Data;

/// <summary>Opens data files, decompressing gzip transparently (detected by the magic bytes 1F 8B, not the name).</summary>
internal static class DataStreams
{
    /// <summary>Opens <paramref name="path"/> for reading; gzip content is decompressed. The caller disposes the stream.</summary>
    public static Stream OpenRead(string path, out bool gzipped)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return Decompress(file, leaveOpen: false, out gzipped);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns a stream over <paramref name="stream"/>'s content from its current position, decompressed when it
    /// starts with the gzip magic. Non-seekable streams get the peeked bytes replayed.
    /// </summary>
    public static Stream Decompress(Stream stream, bool leaveOpen, out bool gzipped) =>
        Decompress(stream, leaveOpen, out gzipped, out _);

    /// <summary>
    /// Like <see cref="Decompress(Stream, bool, out bool)"/>; for a seekable gzip stream also returns the ISIZE field
    /// of its trailer (the decompressed size modulo 2^32 of a single-member file): a hint only, never to be trusted.
    /// </summary>
    public static Stream Decompress(Stream stream, bool leaveOpen, out bool gzipped, out uint? gzipSizeHint)
    {
        gzipSizeHint = null;
        Span<byte> head = stackalloc byte[2];
        int n = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        gzipped = n == 2 && head[0] == 0x1F && head[1] == 0x8B;
        Stream source;
        if (stream.CanSeek)
        {
            long start = stream.Seek(-n, SeekOrigin.Current);
            if (gzipped && stream.Length - start >= 18)
            {
                Span<byte> trailer = stackalloc byte[4];
                stream.Seek(-4, SeekOrigin.End);
                if (stream.ReadAtLeast(trailer, 4, throwOnEndOfStream: false) == 4)
                    gzipSizeHint = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
                stream.Seek(start, SeekOrigin.Begin);
            }
            source = stream;
        }
        else
        {
            source = new PrefixedStream(head[..n].ToArray(), stream, leaveOpen);
            leaveOpen = false;
        }
        return gzipped ? new GZipStream(source, CompressionMode.Decompress, leaveOpen) : leaveOpen ? new NonClosingStream(source) : source;
    }

    /// <summary>Reads forward-only: first a few replayed bytes, then the inner stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner, bool leaveOpen) : Stream
    {
        private int _pos;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            if (_pos < prefix.Length && buffer.Length > 0)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _pos);
                prefix.AsSpan(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }
            return inner.Read(buffer);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing && !leaveOpen) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Passes reads through and leaves the inner stream open when disposed.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
