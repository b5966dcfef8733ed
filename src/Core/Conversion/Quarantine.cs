using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>
/// Bad lines of one source, kept with file, line number, byte offset and the reason, in
/// {destination}/_rejects/{output base name}.rejects.jsonl. Written under a temporary name and renamed when the
/// source is done, so a re-run replaces the file instead of adding to it. Text longer than 64 KiB is cut
/// (the length says how long the line was); bytes that are not UTF-8 are kept as base64.
/// </summary>
internal sealed class Quarantine : IDisposable
{
    private const int MaxKeptBytes = 64 * 1024;

    private readonly string _source;
    private FileStream? _stream;
    private Utf8JsonWriter? _json;

    public Quarantine(string destination, string baseName, string source)
    {
        FinalPath = Path.Combine(destination, "_rejects", baseName + ".rejects.jsonl");
        TempPath = Durable.TempPathFor(FinalPath);
        _source = source;
    }

    public string FinalPath { get; }

    public string TempPath { get; }

    public long Count { get; private set; }

    public void Add(long lineNumber, long offset, long length, ReadOnlySpan<byte> bytes, string error)
    {
        if (_stream is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(TempPath)!);
            _stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            // Relaxed escaping: quotes stay \" and non-ASCII text stays as it is, not \u0022, so a person can grep it.
            _json = new Utf8JsonWriter(_stream, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }

        var kept = bytes.Length > MaxKeptBytes ? bytes[..MaxKeptBytes] : bytes;
        var json = _json!;
        json.WriteStartObject();
        json.WriteString("source", _source);
        json.WriteNumber("line", lineNumber);
        json.WriteNumber("offset", offset);
        json.WriteNumber("length", length);
        json.WriteString("error", error);
        if (Utf8.IsValid(kept))
        {
            json.WriteString("text", Encoding.UTF8.GetString(kept));
        }
        else
        {
            json.WriteBase64String("textBase64", kept);
        }

        json.WriteBoolean("truncated", kept.Length < length);
        json.WriteEndObject();
        json.Flush();
        _stream!.WriteByte((byte)'\n');
        json.Reset();
        Count++;
    }

    /// <summary>Publishes the rejects file, or removes an earlier one when this run found no bad lines.</summary>
    public string? Publish()
    {
        if (_stream is null)
        {
            if (File.Exists(FinalPath))
            {
                File.Delete(FinalPath);
            }

            return null;
        }

        _json!.Dispose();
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _stream = null;
        Durable.Publish(TempPath, FinalPath);
        return FinalPath;
    }

    public void Dispose()
    {
        _json?.Dispose();
        _stream?.Dispose();
        if (File.Exists(TempPath))
        {
            File.Delete(TempPath);
        }
    }
}
