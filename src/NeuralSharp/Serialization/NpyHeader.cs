using System.Globalization;
using System.Text;

namespace NeuralSharp.Serialization;

/// <summary>
/// The .npy header: a Python dict literal such as <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>,
/// padded with spaces and ended by '\n'. Parsed by a small strict recursive-descent parser (never evaluated):
/// exactly the keys descr (a string), fortran_order (True/False) and shape (a tuple of non-negative integers),
/// in any order, each once; strings in single or double quotes without escapes; an optional trailing comma.
/// Written exactly as NumPy 1.24's <c>np.save</c> writes it.
/// </summary>
internal static class NpyHeader
{
    /// <summary>The most dimensions accepted (NumPy 2 allows 64).</summary>
    public const int MaxRank = 64;

    /// <summary>NumPy aligns the data to 64 bytes from the start of the file.</summary>
    private const int ArrayAlign = 64;

    /// <summary>NumPy pads the header with room for the first dimension to grow to this many digits.</summary>
    private const int GrowthAxisMaxDigits = 21;

    public readonly record struct Parsed(string Descr, int DescrOffset, bool FortranOrder, ulong[] Shape, int ShapeOffset);

    /// <summary>Parses <paramref name="text"/>; errors name the byte offset <paramref name="baseOffset"/> + the character index.</summary>
    public static Parsed Parse(string text, long baseOffset, string? file, string? member)
    {
        var parser = new Parser(text, baseOffset, file, member);
        return parser.ParseDict();
    }

    /// <summary>The complete preamble (magic, version, header length) and header of an array, as np.save writes them.</summary>
    public static byte[] Build(NpyDType dtype, ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder(128);
        sb.Append("{'descr': '").Append(NpyDTypeInfo.Descr(dtype)).Append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        sb.Append(shape.Length == 1 ? ",), }" : "), }");
        if (shape.Length > 0) sb.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        string header = sb.ToString();
        // Version 1.0 (2-byte length) when it fits, else 2.0 (4-byte length); the text is ASCII either way.
        int prefix = 10;
        int hlen = header.Length + 1;
        int padlen = ArrayAlign - (prefix + hlen) % ArrayAlign;
        if (hlen + padlen > ushort.MaxValue)
        {
            prefix = 12;
            padlen = ArrayAlign - (prefix + hlen) % ArrayAlign;
        }
        var bytes = new byte[prefix + hlen + padlen];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = prefix == 10 ? (byte)1 : (byte)2;
        bytes[7] = 0;
        int total = hlen + padlen;
        if (prefix == 10) System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)total);
        else System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)total);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(prefix));
        bytes.AsSpan(prefix + header.Length, padlen).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    private ref struct Parser
    {
        private readonly string _text;
        private readonly long _base;
        private readonly string? _file;
        private readonly string? _member;
        private int _pos;

        public Parser(string text, long baseOffset, string? file, string? member)
        {
            _text = text;
            _base = baseOffset;
            _file = file;
            _member = member;
            _pos = 0;
        }

        public Parsed ParseDict()
        {
            SkipSpace();
            Expect('{', "the header must be a Python dict literal starting with '{'");
            string? descr = null;
            int descrOffset = 0, shapeOffset = 0;
            bool? fortran = null;
            ulong[]? shape = null;
            SkipSpace();
            while (Peek() != '}')
            {
                int keyAt = _pos;
                string key = ReadString("a quoted key");
                SkipSpace();
                Expect(':', $"expected ':' after key '{key}'");
                SkipSpace();
                int valueAt = _pos;
                switch (key)
                {
                    case "descr":
                        if (descr != null) throw Error(keyAt, "the key 'descr' appears twice");
                        if (Peek() == '[') throw Error(valueAt, "structured dtypes (a list in 'descr') are not supported; expected a simple dtype such as '<f4'");
                        descr = ReadString("a quoted dtype such as '<f4' for 'descr'");
                        descrOffset = valueAt;
                        break;
                    case "fortran_order":
                        if (fortran != null) throw Error(keyAt, "the key 'fortran_order' appears twice");
                        fortran = ReadBool();
                        break;
                    case "shape":
                        if (shape != null) throw Error(keyAt, "the key 'shape' appears twice");
                        shape = ReadTuple();
                        shapeOffset = valueAt;
                        break;
                    default:
                        throw Error(keyAt, $"unexpected key '{key}' (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
                }
                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                    SkipSpace();
                }
                else if (Peek() != '}') throw Error(_pos, $"expected ',' or '}}' after the value of '{key}', found {Describe()}");
            }
            _pos++; // '}'
            SkipSpace();
            if (_pos < _text.Length) throw Error(_pos, $"unexpected {Describe()} after the header dict (only spaces and a newline may follow '}}')");
            if (descr == null) throw Error(0, "the header has no 'descr'");
            if (fortran == null) throw Error(0, "the header has no 'fortran_order'");
            if (shape == null) throw Error(0, "the header has no 'shape'");
            return new Parsed(descr, descrOffset, fortran.Value, shape, shapeOffset);
        }

        private string ReadString(string what)
        {
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Error(_pos, $"expected {what}, found {Describe()}");
            int start = ++_pos;
            while (_pos < _text.Length && _text[_pos] != quote)
            {
                char c = _text[_pos];
                if (c == '\\') throw Error(_pos, "escape sequences are not supported in header strings");
                if (c < 0x20 || c > 0x7e) throw Error(_pos, $"character U+{(int)c:X4} is not allowed in a header string");
                _pos++;
            }
            if (_pos >= _text.Length) throw Error(start - 1, "unterminated string");
            return _text[start..(_pos++)];
        }

        private bool ReadBool()
        {
            if (Matches("True")) { _pos += 4; return true; }
            if (Matches("False")) { _pos += 5; return false; }
            throw Error(_pos, $"'fortran_order' must be True or False, found {Describe()}");
        }

        private ulong[] ReadTuple()
        {
            int open = _pos;
            Expect('(', "'shape' must be a tuple of integers such as (2, 3)");
            var dims = new List<ulong>();
            SkipSpace();
            bool sawComma = false;
            while (Peek() != ')')
            {
                if (dims.Count == MaxRank) throw Error(_pos, $"the shape has more than {MaxRank} dimensions");
                dims.Add(ReadInteger());
                SkipSpace();
                sawComma = Peek() == ',';
                if (sawComma)
                {
                    _pos++;
                    SkipSpace();
                }
                else if (Peek() != ')') throw Error(_pos, $"expected ',' or ')' in the shape, found {Describe()}");
            }
            // (3) is the integer 3 in Python, not a tuple.
            if (dims.Count == 1 && !sawComma) throw Error(open, "'shape' must be a tuple: a single dimension is written (n,)");
            _pos++;
            return dims.ToArray();
        }

        private ulong ReadInteger()
        {
            int start = _pos;
            ulong value = 0;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                uint digit = (uint)(_text[_pos] - '0');
                if (value > (ulong.MaxValue - digit) / 10) throw Error(start, "a dimension does not fit in 64 bits");
                value = value * 10 + digit;
                _pos++;
            }
            if (_pos == start) throw Error(start, $"expected a non-negative integer dimension, found {Describe()}");
            if (_text[start] == '0' && _pos - start > 1) throw Error(start, "a dimension has a leading zero");
            if (Peek() == 'L') _pos++; // Python 2's long suffix, as in old files
            return value;
        }

        private readonly bool Matches(string word) => string.CompareOrdinal(_text, _pos, word, 0, word.Length) == 0;

        private void Expect(char c, string problem)
        {
            if (Peek() != c) throw Error(_pos, $"{problem}; found {Describe()}");
            _pos++;
        }

        private void SkipSpace()
        {
            while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
        }

        private readonly char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private readonly string Describe() =>
            _pos >= _text.Length ? "the end of the header"
            : _text[_pos] is >= ' ' and <= '~' ? $"'{_text[_pos]}'" : $"U+{(int)_text[_pos]:X4}";

        private readonly NpyFormatException Error(int index, string problem) => new(_file, _member, _base + index, problem);
    }
}
