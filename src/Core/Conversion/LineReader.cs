using System.Runtime.CompilerServices;

namespace PipelineOps.Conversion;

/// <summary>One line of a JSON-lines file, without its line ending.</summary>
/// <param name="Number">1-based line number.</param>
/// <param name="Offset">Byte offset of the line's start in the (decompressed) stream.</param>
/// <param name="Bytes">The line's bytes (valid until the next line is read); empty when TooLong.</param>
/// <param name="TooLong">The line exceeded the limit and was skipped over without being held.</param>
/// <param name="Length">The line's length in bytes (also when TooLong).</param>
/// <param name="Unterminated">The last bytes of the stream, after its last newline (only with
/// <see cref="LineReader.ReturnUnterminated"/>).</param>
public readonly ref struct Line(long number, long offset, ReadOnlySpan<byte> bytes, bool tooLong, long length, bool unterminated = false)
{
    public bool Unterminated { get; } = unterminated;

    public long Number { get; } = number;

    public long Offset { get; } = offset;

    public ReadOnlySpan<byte> Bytes { get; } = bytes;

    public bool TooLong { get; } = tooLong;

    public long Length { get; } = length;
}

/// <summary>
/// Splits a stream into newline-terminated lines with bounded memory: a line longer than the limit is reported
/// as too long and skipped, never buffered whole. A UTF-8 byte order mark at the start is dropped, and so is the
/// carriage return of a CRLF ending (the limit counts the line without its ending). A last line without a newline is
/// not a line: it is the torn tail of a file whose writer was cut off, reported through <see cref="TornTailBytes"/>
/// once the stream ends; with <see cref="ReturnUnterminated"/> it is also handed out, so that a caller can keep it when
/// it is a whole record (a proper prefix of a JSON object is never a whole object).
/// </summary>
public sealed class LineReader
{
    private const int InitialBuffer = 1 << 20;

    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _consumed;
    private long _lineNumber;
    private bool _eof;
    private bool _atStart = true;

    public LineReader(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Min(InitialBuffer, Math.Max(4096, maxLineBytes + 1))];
    }

    /// <summary>Whether the bytes after the last newline are handed out as a last line, marked Unterminated.</summary>
    public bool ReturnUnterminated { get; init; }

    private bool _returnedTail;

    /// <summary>Bytes after the last newline when the stream ended (0: the file ended cleanly).</summary>
    public long TornTailBytes { get; private set; }

    /// <summary>Bytes of the stream consumed so far.</summary>
    public long Position => _consumed + _start;

    /// <summary>Reads the next complete line; false at the end of the stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRead(out Line line)
    {
        var skippedLength = -1L; // >= 0 while skipping the rest of an over-long line
        long skippedStart = 0;
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            if (_atStart && (available.Length >= 3 || _eof))
            {
                _atStart = false;
                if (available.StartsWith("\uFEFF"u8))
                {
                    _start += 3;
                    available = available[3..];
                }
            }

            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var offset = _consumed + _start;
                _start += newline + 1;
                _lineNumber++;
                if (skippedLength >= 0)
                {
                    line = new Line(_lineNumber, skippedStart, default, tooLong: true, skippedLength + newline);
                    return true;
                }

                var bytes = available[..newline];
                if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
                {
                    bytes = bytes[..^1];
                }

                if (bytes.Length > _maxLineBytes)
                {
                    line = new Line(_lineNumber, offset, default, tooLong: true, newline);
                    return true;
                }

                line = new Line(_lineNumber, offset, bytes, tooLong: false, newline);
                return true;
            }

            if (_eof)
            {
                TornTailBytes = (skippedLength >= 0 ? skippedLength : 0) + available.Length;
                if (ReturnUnterminated && !_returnedTail && skippedLength < 0 && available.Length > 0)
                {
                    _returnedTail = true;
                    var offset = _consumed + _start;
                    _start = _end;
                    var tail = available[^1] == (byte)'\r' ? available[..^1] : available;
                    line = new Line(_lineNumber + 1, offset, tail, tooLong: tail.Length > _maxLineBytes, available.Length, unterminated: true);
                    return true;
                }

                _start = _end;
                line = default;
                return false;
            }

            // Held until the newline shows; one byte more than the limit, for the carriage return of a CRLF ending.
            if (skippedLength < 0 && available.Length > _maxLineBytes + 1L)
            {
                // Too long to keep: remember where it started and drop what we have.
                skippedStart = _consumed + _start;
                skippedLength = available.Length;
                _consumed += _end;
                _start = _end = 0;
            }
            else if (skippedLength >= 0)
            {
                skippedLength += available.Length;
                _consumed += _end;
                _start = _end = 0;
            }

            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            // Slide the partial line to the front.
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _consumed += _start;
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, _maxLineBytes + 3L));
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
