using System.Globalization;
using System.Text.Json;

namespace PipelineOps.Staging.Sampling;

/// <summary>The .meta.json written for a source that can only be described: its size, mtime and detected type.</summary>
public static class MetadataSample
{
    public static void Write(Stream sample, string source, IO.RegularFileInfo info, string format, string type, string? note)
    {
        using var json = new Utf8JsonWriter(sample, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("original", source);
        json.WriteNumber("size", info.Length);
        json.WriteString("mtime", info.LastWriteTimeUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteNumber("mtimeUnix", Math.Round((info.LastWriteTimeUtc - DateTime.UnixEpoch).TotalSeconds, 6));
        json.WriteString("format", format);
        json.WriteString("type", type);
        if (note is not null)
        {
            json.WriteString("note", note);
        }

        json.WriteEndObject();
    }
}
