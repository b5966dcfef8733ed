using System.Text.Json;

namespace PipelineOps.Collection.Sources;

/// <summary>
/// One message to its records. Most messages are one JSON object on one line and pass through untouched. A message
/// holding several JSON values (newline-separated batches) becomes one record per value; when a batch cannot be read
/// as JSON values, each of its lines is a record of its own, so one bad record costs only itself. A JSON array is one
/// record per element when asked. Whether each record is one JSON object is the collector's check, not this.
/// </summary>
public static class MessageSplitter
{
    public static List<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> message, bool splitArrays)
    {
        var span = message.Span;
        var start = 0;
        while (start < span.Length && IsWhitespace(span[start]))
        {
            start++;
        }

        if (splitArrays && start < span.Length && span[start] == (byte)'[')
        {
            return ArrayElements(message) ?? [message];
        }

        if (span.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            return [message];
        }

        return Values(message) ?? Lines(message);
    }

    /// <summary>The top-level JSON values, or null when the message is not a sequence of whole JSON values.</summary>
    private static List<ReadOnlyMemory<byte>>? Values(ReadOnlyMemory<byte> message)
    {
        var values = new List<ReadOnlyMemory<byte>>();
        var reader = new Utf8JsonReader(message.Span, new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                var from = (int)reader.TokenStartIndex;
                reader.Skip();
                values.Add(message[from..(int)reader.BytesConsumed]);
            }
        }
        catch (JsonException)
        {
            return null;
        }

        // One value spread over lines (pretty-printed) stays whole: the collector rewrites it as one line.
        return values.Count <= 1 ? [message] : values;
    }

    private static List<ReadOnlyMemory<byte>> Lines(ReadOnlyMemory<byte> message)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var rest = message;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOfAny((byte)'\n', (byte)'\r');
            var line = end < 0 ? rest : rest[..end];
            if (!line.Span.Trim(" \t"u8).IsEmpty)
            {
                lines.Add(line);
            }

            rest = end < 0 ? default : rest[(end + 1)..];
        }

        return lines;
    }

    /// <summary>The elements of a JSON array, or null when the message is not exactly one well-formed array.</summary>
    private static List<ReadOnlyMemory<byte>>? ArrayElements(ReadOnlyMemory<byte> message)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        var reader = new Utf8JsonReader(message.Span, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            reader.Read(); // [
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var from = (int)reader.TokenStartIndex;
                reader.Skip();
                elements.Add(message[from..(int)reader.BytesConsumed]);
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return elements;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
