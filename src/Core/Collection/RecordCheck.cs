using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PipelineOps.Text;

namespace PipelineOps.Collection;

/// <summary>
/// The collector's one pass over a message: the shared verdict of <see cref="JsonLineRules"/> (same encoding checks,
/// same reader options, so a message is collected exactly when the converter takes its line as a record) and, read on
/// the way, the top-level stream, time and sequence fields. Names are matched as UTF-8 and values are kept as slices of
/// the message, so a record costs no strings; an error is worded by <see cref="JsonLineRules.Verdict"/> itself. The
/// common record is read by a plain scan first (RecordCheck.Scan.cs); anything it is not sure of goes to the reader.
/// </summary>
public static partial class RecordCheck
{
    /// <summary>The field names to read, encoded once.</summary>
    public sealed class Names
    {
        public Names(string stream, string time, string sequence)
        {
            Stream = Encoding.UTF8.GetBytes(stream);
            Time = Encoding.UTF8.GetBytes(time);
            Sequence = Encoding.UTF8.GetBytes(sequence);
            StreamHead = new Head(Stream);
            TimeHead = new Head(Time);
            SequenceHead = new Head(Sequence);
            Lengths = (1UL << Math.Min(Stream.Length, 63)) | (1UL << Math.Min(Time.Length, 63)) | (1UL << Math.Min(Sequence.Length, 63));
        }

        internal byte[] Stream { get; }

        internal byte[] Time { get; }

        internal byte[] Sequence { get; }

        /// <summary>A bit for each wanted name's length (63 for any longer).</summary>
        internal ulong Lengths { get; }

        internal Head StreamHead { get; }

        internal Head TimeHead { get; }

        internal Head SequenceHead { get; }

        /// <summary>A name's first eight bytes as one number in the machine's byte order, and the mask of those that
        /// are the name's.</summary>
        internal readonly struct Head
        {
            public Head(byte[] name)
            {
                Span<byte> bytes = stackalloc byte[8];
                bytes.Clear();
                name.AsSpan(0, Math.Min(8, name.Length)).CopyTo(bytes);
                Bytes = BitConverter.ToUInt64(bytes);
                bytes.Clear();
                bytes[..Math.Min(8, name.Length)].Fill(0xFF);
                Mask = BitConverter.ToUInt64(bytes);
            }

            public ulong Bytes { get; }

            public ulong Mask { get; }
        }
    }

    /// <summary>A field's value as the record has it: a string's text or a number's literal; absent by default.</summary>
    public readonly struct Value
    {
        private readonly ReadOnlyMemory<byte> _utf8;
        private readonly string? _text; // an escaped string, decoded once; or a value that came as text

        private Value(ReadOnlyMemory<byte> utf8, string? text)
        {
            _utf8 = utf8;
            _text = text;
            IsPresent = true;
        }

        public bool IsPresent { get; }

        /// <summary>The value's UTF-8 bytes, unescaped (empty when absent).</summary>
        public ReadOnlySpan<byte> Utf8 => _text is null ? _utf8.Span : Encoding.UTF8.GetBytes(_text);

        /// <summary>The value as text, or null when absent.</summary>
        public string? Text => _text ?? (IsPresent ? Encoding.UTF8.GetString(_utf8.Span) : null);

        public static Value Of(string? text) => text is null ? default : new Value(default, text);

        /// <summary>Whether the value is a slice of <paramref name="line"/> (not decoded text), and where in it.</summary>
        internal bool IsSliceOf(ReadOnlySpan<byte> line, out int offset)
        {
            offset = 0;
            if (_text is not null || !IsPresent)
            {
                return false;
            }

            // Distinct objects never overlap, so a value inside the line's bytes is a slice of the line.
            var span = _utf8.Span;
            var distance = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(line), ref MemoryMarshal.GetReference(span));
            if (distance < 0 || distance + span.Length > line.Length)
            {
                return false;
            }

            offset = (int)distance;
            return true;
        }

        internal static Value Slice(ReadOnlyMemory<byte> utf8) => new(utf8, null);

        internal static Value Decoded(string text) => new(default, text);
    }

    public readonly record struct Fields(Value Stream, Value Time, Value Sequence);

    /// <summary>Why <paramref name="message"/> is not a record (the words of <see cref="JsonLineRules.Verdict"/>), or
    /// null when it is one, with its fields.</summary>
    public static string? Run(ReadOnlyMemory<byte> message, Names names, out Fields fields) => Run(message, names, out fields, out _);

    /// <inheritdoc cref="Run(ReadOnlyMemory{byte}, Names, out Fields)"/>
    /// <param name="plain">The plain scan took the record: it holds no escape, control character or line break.</param>
    public static string? Run(ReadOnlyMemory<byte> message, Names names, out Fields fields, out bool plain)
    {
        var json = message.Span;
        // The scan checks UTF-8 itself and takes no backslash at all, so a message it takes holds no escape (no lone
        // surrogate). Anything else gets the shared text checks, then the reader.
        plain = TryScan(message, names, out fields);
        if (plain)
        {
            return null;
        }

        if (JsonLineRules.TextProblem(json) is { } problem)
        {
            return problem;
        }

        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(JsonLineRules.ReaderOptions));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return JsonLineRules.NotAnObject;
            }

            Value stream = default, time = default, sequence = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var wanted = reader.ValueTextEquals(names.Stream) ? 1 : reader.ValueTextEquals(names.Time) ? 2 : reader.ValueTextEquals(names.Sequence) ? 3 : 0;
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip(); // validates all it passes
                    continue;
                }

                if (wanted == 0 || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
                {
                    continue;
                }

                // The last one wins, as everywhere.
                var value = reader.TokenType == JsonTokenType.Number
                    ? Value.Slice(message.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length))
                    : reader.ValueIsEscaped
                        ? Value.Decoded(reader.GetString()!)
                        : Value.Slice(message.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length));
                switch (wanted)
                {
                    case 1: stream = value; break;
                    case 2: time = value; break;
                    default: sequence = value; break;
                }
            }

            // The reader has checked the grammar: the loop ends on the record's closing brace.
            if (reader.Read())
            {
                return JsonLineRules.MoreThanOneValue;
            }

            fields = new Fields(stream, time, sequence);
            return null;
        }
        catch (JsonException e)
        {
            return JsonLineRules.Verdict(json) ?? JsonLineRules.Shorten(e.Message);
        }
    }
}
