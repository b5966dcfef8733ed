using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>
/// Bad lines of one source, kept with file, line number, byte offset and the reason, in
/// {destination}/_rejects/{output base name}.rejects.jsonl, and the lines themselves, byte for byte and in the same
/// order, in {output base name}.rejects.txt: JSON has to escape a line's quotes, so only the plain copy can be
/// grepped for what the source held, or fixed and fed back. Both are written under temporary names and renamed when
/// the source is done, so a re-run replaces them instead of adding to them. Text longer than 64 KiB is cut (the
/// length says how long the line was); in the JSON, bytes that are not UTF-8 are kept as base64.
/// </summary>
internal sealed class Quarantine : IDisposable
{
    private const int MaxKeptBytes = 64 * 1024;

    private readonly string _source;
    private readonly string _linesTempPath;
    private FileStream? _stream;
    private FileStream? _lines;
    private Utf8JsonWriter? _json;

    public Quarantine(string destination, string baseName, string source)
    {
        FinalPath = Path.Combine(destination, "_rejects", baseName + ".rejects.jsonl");
        TempPath = Durable.TempPathFor(FinalPath);
        LinesPath = Path.ChangeExtension(FinalPath, ".txt");
        _linesTempPath = Durable.TempPathFor(LinesPath);
        _source = source;
    }

    public string FinalPath { get; }

    public string TempPath { get; }

    /// <summary>The bad lines as the source had them, one per line.</summary>
    public string LinesPath { get; }

    public long Count { get; private set; }

    public void Add(long lineNumber, long offset, long length, ReadOnlySpan<byte> bytes, string error)
    {
        if (_stream is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(TempPath)!);
            _stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            _lines = new FileStream(_linesTempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
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
        _lines!.Write(kept);
        _lines.WriteByte((byte)'\n');
        Count++;
    }

    /// <summary>Publishes the rejects file, or removes an earlier one when this run found no bad lines.</summary>
    public string? Publish()
    {
        if (_stream is null)
        {
            DeleteIfThere(FinalPath);
            DeleteIfThere(LinesPath);
            return null;
        }

        _json!.Dispose();
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _stream = null;
        _lines!.Flush(flushToDisk: true);
        _lines.Dispose();
        _lines = null;

        // The plain copy first: the JSON file, which names every line, never appears without it.
        Durable.Publish(_linesTempPath, LinesPath, flush: false);
        Durable.Publish(TempPath, FinalPath);
        return FinalPath;
    }

    public void Dispose()
    {
        _json?.Dispose();
        _stream?.Dispose();
        _lines?.Dispose();
        DeleteIfThere(TempPath);
        DeleteIfThere(_linesTempPath);
    }

    // File.Delete throws when the folder itself is missing, as _rejects/ is until a source has a bad line.
    private static void DeleteIfThere(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
