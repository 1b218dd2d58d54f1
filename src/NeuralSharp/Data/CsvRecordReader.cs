namespace NeuralSharp.Data;

/// <summary>
/// Splits delimited text into records of fields (RFC 4180 style): fields separated by one character, optionally
/// in double quotes (which may contain separators, newlines and doubled quotes ""), records ended by LF, CRLF or
/// CR. Unquoted fields are trimmed of spaces (and tabs unless tab is the separator). Tracks 1-based line numbers.
/// A record's characters live in one reused buffer, so reading allocates nothing per field.
/// </summary>
internal sealed class CsvRecordReader
{
    private readonly TextReader _reader;
    private readonly string _source;
    private readonly char[] _buffer = new char[1 << 16];
    private int _pos, _len;
    private bool _eof;
    private int _line = 1;

    private char[] _chars = new char[256];
    private int _charCount;
    private int[] _starts = new int[16], _lengths = new int[16];
    private bool[] _quoted = new bool[16];

    public CsvRecordReader(TextReader reader, string source)
    {
        _reader = reader;
        _source = source;
        // Fill the buffer as far as possible up front so that the separator can be detected from the first line.
        while (_len < _buffer.Length)
        {
            int n = _reader.Read(_buffer, _len, _buffer.Length - _len);
            if (n <= 0) { _eof = true; break; }
            _len += n;
        }
    }

    public char Separator { get; set; } = ',';

    /// <summary>The 1-based line on which the current record starts.</summary>
    public int RecordLine { get; private set; }

    /// <summary>The number of fields of the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>The text of field <paramref name="i"/> of the current record.</summary>
    public ReadOnlySpan<char> Field(int i) => new(_chars, _starts[i], _lengths[i]);

    /// <summary>Whether field <paramref name="i"/> was quoted.</summary>
    public bool IsQuoted(int i) => _quoted[i];

    /// <summary>
    /// Guesses the separator from the first non-blank line in the buffer: whichever of ',', ';' and tab occurs
    /// most often outside quotes (',' on a tie or when none occurs).
    /// </summary>
    public char DetectSeparator()
    {
        int commas = 0, semicolons = 0, tabs = 0;
        bool inQuotes = false, content = false;
        for (int i = 0; i < _len; i++)
        {
            char c = _buffer[i];
            if (c == '"') inQuotes = !inQuotes;
            else if (inQuotes) continue;
            else if (c == '\n' || c == '\r') { if (content) break; }
            else if (c == ',') commas++;
            else if (c == ';') semicolons++;
            else if (c == '\t') tabs++;
            if (!char.IsWhiteSpace(c)) content = true;
        }
        if (semicolons > commas && semicolons >= tabs) return ';';
        if (tabs > commas && tabs > semicolons) return '\t';
        return ',';
    }

    private int Next()
    {
        if (_pos == _len)
        {
            if (_eof) return -1;
            _len = _reader.Read(_buffer, 0, _buffer.Length);
            _pos = 0;
            if (_len <= 0) { _len = 0; _eof = true; return -1; }
        }
        return _buffer[_pos++];
    }

    private int Peek()
    {
        if (_pos == _len)
        {
            if (_eof) return -1;
            _len = _reader.Read(_buffer, 0, _buffer.Length);
            _pos = 0;
            if (_len <= 0) { _len = 0; _eof = true; return -1; }
        }
        return _buffer[_pos];
    }

    private void Append(char c)
    {
        if (_charCount == _chars.Length) Array.Resize(ref _chars, _chars.Length * 2);
        _chars[_charCount++] = c;
    }

    private bool IsBlank(int c) => c == ' ' || (c == '\t' && Separator != '\t');

    private void EndField(int start, bool quoted)
    {
        int length = _charCount - start;
        if (!quoted)
        {
            while (length > 0 && IsBlank(_chars[start + length - 1])) length--;
            _charCount = start + length;
        }
        if (FieldCount == _starts.Length)
        {
            Array.Resize(ref _starts, FieldCount * 2);
            Array.Resize(ref _lengths, FieldCount * 2);
            Array.Resize(ref _quoted, FieldCount * 2);
        }
        _starts[FieldCount] = start;
        _lengths[FieldCount] = length;
        _quoted[FieldCount] = quoted;
        FieldCount++;
    }

    /// <summary>Reads the next non-blank record; false at the end of the input.</summary>
    /// <exception cref="DataFormatException">On an unterminated quote or text after a closing quote.</exception>
    public bool ReadRecord()
    {
        while (true)
        {
            if (!ReadPhysicalRecord()) return false;
            bool blank = FieldCount == 1 && !_quoted[0] && _lengths[0] == 0;
            if (!blank) return true;
        }
    }

    private bool ReadPhysicalRecord()
    {
        _charCount = 0;
        FieldCount = 0;
        RecordLine = _line;
        if (Peek() == -1) return false;
        int start = 0;
        bool quoted = false, afterQuote = false, fieldStarted = false;
        int quoteLine = _line;
        while (true)
        {
            int c = Next();
            bool endOfRecord = c == -1 || c == '\n' || c == '\r';
            if (quoted && !afterQuote)
            {
                if (c == -1)
                    throw new DataFormatException($"unterminated quoted field (the quote opens on line {quoteLine})", _source, line: quoteLine, column: FieldCount + 1);
                if (c == '"')
                {
                    if (Peek() == '"') { Next(); Append('"'); }
                    else afterQuote = true;
                    continue;
                }
                if (c == '\n') _line++;
                else if (c == '\r') { _line++; if (Peek() == '\n') Next(); c = '\n'; }
                Append((char)c);
                continue;
            }
            if (endOfRecord || c == Separator)
            {
                EndField(start, quoted);
                if (endOfRecord)
                {
                    if (c == '\r' && Peek() == '\n') Next();
                    if (c != -1) _line++;
                    return true;
                }
                start = _charCount;
                quoted = afterQuote = fieldStarted = false;
                continue;
            }
            if (afterQuote)
            {
                if (IsBlank(c)) continue;
                throw new DataFormatException($"unexpected character '{(char)c}' after the closing quote of a field", _source, line: _line, column: FieldCount + 1);
            }
            if (!fieldStarted)
            {
                if (IsBlank(c)) continue;
                fieldStarted = true;
                if (c == '"') { quoted = true; quoteLine = _line; continue; }
            }
            Append((char)c);
        }
    }
}
