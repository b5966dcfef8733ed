using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace PipelineOps.Text;

/// <summary>
/// The one set of rules that decides whether a line of a JSON-lines file is a record, shared by the converter, the
/// collector and the continuity report so that a line gets the same verdict in all three. A record is exactly one
/// JSON object of valid UTF-8, at most <see cref="MaxDepth"/> levels deep, with no lone surrogate escape (a
/// <c>\uD800</c> without its pair is not a character: such a line is a bad line, never rewritten to U+FFFD). Blank
/// lines (spaces and tabs only) are no lines. Duplicate keys are allowed; everywhere the last one wins. A number
/// beyond what a double holds (1e400) is legal: readers keep its exact text.
/// </summary>
public static partial class JsonLineRules
{
    /// <summary>How deep objects and arrays may nest, the record's own object included.</summary>
    public const int MaxDepth = 64;

    /// <summary>The longest record in bytes, its line ending not counted.</summary>
    public const int DefaultMaxBytes = 16 * 1024 * 1024;

    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Why <paramref name="line"/> is not a record, or null when it is one.</summary>
    public static string? Verdict(ReadOnlySpan<byte> line)
    {
        if (TextProblem(line) is { } problem)
        {
            return problem;
        }

        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(ReaderOptions));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return NotAnObject;
            }

            reader.Skip();
            return reader.Read() ? MoreThanOneValue : null;
        }
        catch (JsonException e)
        {
            return Shorten(e.Message);
        }
    }

    /// <summary>The encoding half of <see cref="Verdict"/>: invalid UTF-8 or a lone surrogate escape; null when
    /// neither. A parser that checks the JSON itself with <see cref="ReaderOptions"/> calls this first.</summary>
    public static string? TextProblem(ReadOnlySpan<byte> line)
    {
        if (!Utf8.IsValid(line))
        {
            return "invalid UTF-8";
        }

        var escape = line.IndexOf((byte)'\\');
        return escape < 0 ? null : LoneSurrogate(line, escape);
    }

    /// <summary>Whether a line holds nothing but spaces and tabs (skipped, not counted as bad).</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    /// <summary>Whether a .NET string holds a surrogate without its pair (which UTF-8 cannot carry).</summary>
    public static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    public const string LoneSurrogateEscape = @"lone surrogate escape (a \uD800-\uDFFF without its pair)";

    public const string NotAnObject = "not a JSON object";

    public const string MoreThanOneValue = "more than one JSON value on the line";

    /// <summary>A JSON reader's message without the path, and with its position said as a byte of the line: the reader
    /// sees one line at a time, so its "LineNumber: 0" would contradict the line number reported with it.</summary>
    public static string Shorten(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return ReaderPosition().Replace(message, m =>
            "(at byte " + (long.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture) + " of the line)");
    }

    [GeneratedRegex(@"LineNumber: \d+ \| BytePositionInLine: (\d+)\.?")]
    private static partial Regex ReaderPosition();

    // Backslashes appear only inside strings of a valid line; a line that is not valid JSON fails its parse anyway,
    // so this only has to be right for escapes: \\ is one escape, \uXXXX a code unit that must pair.
    private static string? LoneSurrogate(ReadOnlySpan<byte> line, int i)
    {
        var pendingHigh = false;
        while (i >= 0 && i < line.Length)
        {
            if (i + 1 >= line.Length)
            {
                return null; // a backslash at the end: the JSON parse says what is wrong
            }

            var unit = 0;
            var isUnit = line[i + 1] == 'u' && i + 5 < line.Length && TryHex(line.Slice(i + 2, 4), out unit);
            var next = i + 2;
            if (isUnit)
            {
                next = i + 6;
                if (pendingHigh && unit is >= 0xDC00 and <= 0xDFFF)
                {
                    pendingHigh = false;
                }
                else if (pendingHigh || unit is >= 0xDC00 and <= 0xDFFF)
                {
                    return LoneSurrogateEscape;
                }
                else
                {
                    pendingHigh = unit is >= 0xD800 and <= 0xDBFF;
                }
            }
            else if (pendingHigh)
            {
                return LoneSurrogateEscape;
            }

            // A high surrogate must be followed at once by its low escape.
            if (pendingHigh && (next >= line.Length || line[next] != '\\'))
            {
                return LoneSurrogateEscape;
            }

            var rest = line[next..].IndexOf((byte)'\\');
            if (pendingHigh)
            {
                i = next;
            }
            else
            {
                i = rest < 0 ? -1 : next + rest;
            }
        }

        return null;
    }

    private static bool TryHex(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            var v = d switch
            {
                >= (byte)'0' and <= (byte)'9' => d - '0',
                >= (byte)'a' and <= (byte)'f' => d - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => d - 'A' + 10,
                _ => -1,
            };
            if (v < 0)
            {
                return false;
            }

            value = value * 16 + v;
        }

        return true;
    }
}
