namespace PipelineOps.Staging.Sampling;

/// <summary>How a source is sampled, from its name (and, for names that do not say, its first bytes).</summary>
public enum Layout
{
    Csv,
    Lines,
    Json,
    Parquet,
    Zip,
    Tar,
    SevenZip,
    Unknown,
}

/// <summary>A single-stream compression wrapped around a <see cref="Layout"/>.</summary>
public enum Codec
{
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// <param name="Layout">How the (decompressed) content is sampled.</param>
/// <param name="Codec">The compression around it.</param>
/// <param name="Extension">The source's format extension, compound where there is a codec (".csv.gz"); what the sample keeps.</param>
/// <param name="Name">The format as results report it (csv, csv.gz, tar.gz, unknown).</param>
public sealed record SourceFormat(Layout Layout, Codec Codec, string Extension, string Name)
{
    private static readonly Dictionary<string, Codec> Codecs = new(StringComparer.OrdinalIgnoreCase)
    {
        [".gz"] = Codec.Gzip, [".gzip"] = Codec.Gzip, [".bz2"] = Codec.Bzip2, [".xz"] = Codec.Xz, [".zst"] = Codec.Zstd,
    };

    private static readonly Dictionary<string, Layout> Layouts = new(StringComparer.OrdinalIgnoreCase)
    {
        [".csv"] = Layout.Csv, [".jsonl"] = Layout.Lines, [".ndjson"] = Layout.Lines, [".txt"] = Layout.Lines,
        [".log"] = Layout.Lines, [".tsv"] = Layout.Csv, [".json"] = Layout.Json, [".parquet"] = Layout.Parquet,
        [".zip"] = Layout.Zip, [".tar"] = Layout.Tar, [".7z"] = Layout.SevenZip,
    };

    /// <summary>Reads the name first; an unknown name is sniffed by the magic bytes of <paramref name="input"/> (an
    /// opened regular file: read from its start, then put back there).</summary>
    public static SourceFormat Detect(string path, Stream input)
    {
        var name = Path.GetFileName(path);
        var last = Path.GetExtension(name);
        if (last.Equals(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            return new SourceFormat(Layout.Tar, Codec.Gzip, last, "tar.gz");
        }

        if (Codecs.TryGetValue(last, out var codec))
        {
            var inner = Path.GetExtension(Path.GetFileNameWithoutExtension(name));
            var layout = Layouts.GetValueOrDefault(inner, Layout.Lines); // data.gz: lines of text, as the design samples it
            if (layout is Layout.Zip or Layout.SevenZip or Layout.Parquet)
            {
                layout = Layout.Unknown; // a compressed container: nothing cheap to cut from it
            }

            var extension = Layouts.ContainsKey(inner) ? inner + last : last;
            return new SourceFormat(layout, codec, extension, extension.TrimStart('.').ToLowerInvariant());
        }

        if (Layouts.TryGetValue(last, out var plain))
        {
            return new SourceFormat(plain, Codec.None, last, last.TrimStart('.').ToLowerInvariant());
        }

        return Sniff(input, last);
    }

    /// <summary>What the first bytes of <paramref name="input"/> say it is (for names that do not say); the stream is
    /// put back at its start.</summary>
    public static string DetectType(Stream input)
    {
        var head = new byte[265];
        input.Position = 0;
        var read = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        input.Position = 0;

        var span = head.AsSpan(0, read);
        return span switch
        {
            _ when span.StartsWith("PAR1"u8) || span.StartsWith("PARE"u8) => "parquet",
            _ when span.StartsWith("PK\x03\x04"u8) || span.StartsWith("PK\x05\x06"u8) => "zip",
            _ when span.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]) => "gzip",
            _ when span.StartsWith("BZh"u8) => "bzip2",
            _ when span.StartsWith((ReadOnlySpan<byte>)[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) => "xz",
            _ when span.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]) => "zstd",
            _ when span.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) => "7z",
            _ when read >= 262 && span.Slice(257, 5).SequenceEqual("ustar"u8) => "tar",
            _ when span.StartsWith("%PDF"u8) => "pdf",
            _ when span.IsEmpty => "empty",
            _ when LooksLikeText(span) => span.TrimStart((ReadOnlySpan<byte>)[0x20, 0x09, 0x0d, 0x0a, 0xEF, 0xBB, 0xBF]) is [(byte)'{' or (byte)'[', ..] ? "json text" : "text",
            _ => "binary",
        };
    }

    private static SourceFormat Sniff(Stream input, string extension)
    {
        var type = DetectType(input);
        return type switch
        {
            "parquet" => new SourceFormat(Layout.Parquet, Codec.None, extension, "parquet"),
            "zip" => new SourceFormat(Layout.Zip, Codec.None, extension, "zip"),
            "tar" => new SourceFormat(Layout.Tar, Codec.None, extension, "tar"),
            "7z" => new SourceFormat(Layout.SevenZip, Codec.None, extension, "7z"),
            "gzip" => new SourceFormat(Layout.Lines, Codec.Gzip, extension, "gz"),
            _ => new SourceFormat(Layout.Unknown, Codec.None, extension, "unknown"),
        };
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        foreach (var b in head)
        {
            if (b == 0 || (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0c)))
            {
                return false;
            }
        }

        return true;
    }
}
