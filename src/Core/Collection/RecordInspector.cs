using System.Buffers;
using System.Text.Json;

namespace PipelineOps.Collection;

/// <summary>
/// Checks that a message is one JSON object and reads the few top-level fields the collector needs (stream, time,
/// sequence) without building a document. A message spread over several lines (pretty-printed) is rewritten
/// compactly, so every record is exactly one line.
/// </summary>
public static class RecordInspector
{
    public readonly record struct Fields(string? Stream, string? Time, string? Sequence);

    /// <exception cref="JsonException">Not one JSON object.</exception>
    public static Fields Inspect(ReadOnlySpan<byte> json, string streamField, string timeField, string sequenceField)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a record must be a JSON object");
        }

        string? stream = null, time = null, sequence = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals(streamField) ? 1 : reader.ValueTextEquals(timeField) ? 2 : reader.ValueTextEquals(sequenceField) ? 3 : 0;
            reader.Read();
            if (wanted != 0 && reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
            {
                var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
                switch (wanted)
                {
                    case 1: stream = value; break;
                    case 2: time = value; break;
                    default: sequence = value; break;
                }
            }
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("a record must be exactly one JSON object");
        }

        return new Fields(stream, time, sequence);
    }

    /// <summary>The message as one line: unchanged when it has no line breaks, else rewritten compactly.</summary>
    public static ReadOnlyMemory<byte> OneLine(ReadOnlyMemory<byte> json)
    {
        if (json.Span.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            return json;
        }

        var output = new ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(output))
        using (var document = JsonDocument.Parse(json))
        {
            document.WriteTo(writer);
        }

        return output.WrittenMemory;
    }
}
