using System.Text.Json;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// A JSON sample: the first elements of a top-level array, copied verbatim into a new array; a document that is
/// not an array is copied whole when small. Only the bytes up to the cap are read and parsed.
/// </summary>
public static class JsonSample
{
    public readonly record struct Outcome(long Elements, bool DocumentTooLarge, string? Note);

    public static Outcome Copy(Stream source, Stream sample, SampleOptions options, CancellationToken cancellationToken)
    {
        var (data, complete) = ReadUpTo(source, options.MaxReadBytes, cancellationToken);
        var json = data.AsSpan();
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
        }

        var reader = new Utf8JsonReader(json, isFinalBlock: complete, new JsonReaderState(new JsonReaderOptions { MaxDepth = 256 }));
        if (!reader.Read())
        {
            throw new InvalidDataException(complete ? "the file holds no JSON value" : "the first JSON token exceeds the read cap");
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            if (!complete || json.Length > options.MaxDocumentBytes)
            {
                return new Outcome(0, true, null);
            }

            while (reader.Read())
            {
                // the whole document must parse before it is offered as a sample
            }

            sample.Write(json);
            return new Outcome(1, false, null);
        }

        var elements = 0L;
        var separator = "[\n"u8;
        var ended = false;
        while (elements < options.Rows)
        {
            if (!reader.Read())
            {
                break; // the next element lies beyond the cap
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                ended = true;
                break;
            }

            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
            {
                break;
            }

            sample.Write(separator);
            sample.Write(json[start..(int)reader.BytesConsumed]);
            separator = ",\n"u8;
            elements++;
        }

        if (elements == 0 && !ended)
        {
            throw new InvalidDataException($"the first array element is larger than the read cap ({options.MaxReadBytes} bytes)");
        }

        sample.Write(elements == 0 ? "[]\n"u8 : "\n]\n"u8);
        var note = elements < options.Rows && !ended ? $"stopped at the read cap ({options.MaxReadBytes} bytes)" : null;
        return new Outcome(elements, false, note);
    }

    private static (byte[] Data, bool Complete) ReadUpTo(Stream source, long cap, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while (buffer.Length <= cap && (read = source.Read(chunk)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            buffer.Write(chunk, 0, read);
        }

        var complete = buffer.Length <= cap;
        var data = buffer.ToArray();
        return (complete ? data : data[..(int)cap], complete);
    }
}
