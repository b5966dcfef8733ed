using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>A JSON-lines source as measured at the start of its conversion.</summary>
public sealed class SourceFile
{
    private const int FingerprintSpan = 64 * 1024;
    private static readonly string[] LineExtensions = [".jsonl", ".ndjson", ".txt", ".json"];

    private SourceFile(string path, long length, DateTime lastWriteTimeUtc)
    {
        Path = path;
        Length = length;
        LastWriteTimeUtc = lastWriteTimeUtc;
        IsGzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        var name = System.IO.Path.GetFileName(path);
        if (IsGzip)
        {
            name = name[..^3];
        }

        var extension = LineExtensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        Stem = extension is null ? name : name[..^extension.Length];
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(path));
        BaseName = $"{Stem}-{Convert.ToHexStringLower(hash, 0, 4)}";
    }

    public string Path { get; }

    public long Length { get; }

    public DateTime LastWriteTimeUtc { get; }

    public bool IsGzip { get; }

    /// <summary>The name without extensions: level2_20251114.</summary>
    public string Stem { get; }

    /// <summary>Stem plus a short hash of the full path: the deterministic base of every output name, so a
    /// re-run replaces its outputs and same-named sources in different folders never collide.</summary>
    public string BaseName { get; }

    /// <exception cref="FileNotFoundException">The source does not exist.</exception>
    public static SourceFile Measure(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Cannot find file '{path}'.", path);
        }

        return new SourceFile(info.FullName, info.Length, info.LastWriteTimeUtc);
    }

    /// <summary>Opens the content as it was measured (decompressed for .gz). Writers are never blocked.</summary>
    public Stream Open()
    {
        var file = new FileStream(Path, new FileStreamOptions
        {
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 1 << 20,
            Options = FileOptions.SequentialScan,
        });
        Stream limited = new LengthLimitedStream(file, Length);
        return IsGzip ? new GZipStream(limited, CompressionMode.Decompress) : limited;
    }

    /// <summary>
    /// Splits plain (uncompressed) content into up to <paramref name="parts"/> byte ranges that each start at the
    /// beginning of a line, so they can be read in parallel. Gzip content is one range.
    /// </summary>
    public IReadOnlyList<(long Start, long End)> LineAlignedRanges(int parts)
    {
        if (IsGzip || parts <= 1 || Length < 4 * 1024 * 1024)
        {
            return [(0, Length)];
        }

        using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var starts = new List<long> { 0 };
        var buffer = new byte[64 * 1024];
        for (var i = 1; i < parts; i++)
        {
            var probe = Math.Max(Length * i / parts, starts[^1]);
            while (probe < Length)
            {
                var read = RandomAccess.Read(handle, buffer, probe);
                var newline = buffer.AsSpan(0, read).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    starts.Add(probe + newline + 1);
                    break;
                }

                probe += read;
            }
        }

        starts.Add(Length);
        return starts.Zip(starts.Skip(1)).Where(r => r.Second > r.First).ToArray();
    }

    /// <summary>Opens one line-aligned byte range of plain content.</summary>
    public Stream OpenRange(long start, long end)
    {
        var file = new FileStream(Path, new FileStreamOptions
        {
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 1 << 20,
            Options = FileOptions.SequentialScan,
        });
        file.Seek(start, SeekOrigin.Begin);
        return new LengthLimitedStream(file, end - start);
    }

    /// <summary>A cheap content fingerprint: SHA-256 of the length and the first and last 64 KiB.</summary>
    public string Fingerprint()
    {
        using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(BitConverter.GetBytes(Length));
        var buffer = new byte[FingerprintSpan];
        var head = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(FingerprintSpan, Length)), 0);
        hash.AppendData(buffer, 0, head);
        if (Length > FingerprintSpan)
        {
            var tailStart = Math.Max(FingerprintSpan, Length - FingerprintSpan);
            var tail = RandomAccess.Read(handle, buffer.AsSpan(0, (int)(Length - tailStart)), tailStart);
            hash.AppendData(buffer, 0, tail);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset(), 0, 16);
    }
}
