using System.Security.Cryptography;
using System.Text;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>A JSON-lines source as measured at the start of its conversion.</summary>
public sealed class SourceFile
{
    private const int FingerprintSpan = 64 * 1024;
    private static readonly string[] LineExtensions = [".jsonl", ".ndjson", ".txt", ".json"];

    private readonly RegularFileInfo _identity;

    private SourceFile(string path, RegularFileInfo info, bool isLink)
    {
        Path = path;
        _identity = info;
        Length = info.Length;
        LastWriteTimeUtc = info.LastWriteTimeUtc;
        IsLink = isLink;
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

    /// <summary>The path is a symbolic link: length, time and content are the target's.</summary>
    public bool IsLink { get; }

    /// <summary>The name without extensions: level2_20251114.</summary>
    public string Stem { get; }

    /// <summary>Stem plus a short hash of the full path: the deterministic base of every output name, so a
    /// re-run replaces its outputs and same-named sources in different folders never collide.</summary>
    public string BaseName { get; }

    /// <summary>Measures a regular file, or the regular file a symbolic link points to (its length, time and content,
    /// never the link's own), judged on an opened descriptor that never blocks.</summary>
    /// <exception cref="FileNotFoundException">The source does not exist.</exception>
    /// <exception cref="NotRegularFileException">A FIFO, a device, a directory or a socket: never read.</exception>
    public static SourceFile Measure(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        using (RegularFile.OpenRead(full, followLinks: true, out var info, bufferSize: 1))
        {
            return new SourceFile(full, info, new FileInfo(full).LinkTarget is not null);
        }
    }

    /// <summary>Opens the content as it was measured (decompressed for .gz, where reading past the last member fails
    /// with <see cref="GzipTrailingDataException"/> if bytes follow it). Writers are never blocked.</summary>
    /// <exception cref="IOException">The path now names another file than the one measured.</exception>
    public Stream Open() =>
        IsGzip ? new GzipContentStream(() => new LengthLimitedStream(OpenChecked(1 << 20), Length))
            : new LengthLimitedStream(OpenChecked(1 << 20), Length);

    /// <summary>The file as measured, checked to be the same file.</summary>
    private FileStream OpenChecked(int bufferSize)
    {
        var file = RegularFile.OpenRead(Path, followLinks: true, out var info, bufferSize);
        if (info.Device != _identity.Device || info.Inode != _identity.Inode)
        {
            file.Dispose();
            throw new IOException($"'{Path}' was replaced by another file while it was converted.");
        }

        return file;
    }

    /// <summary>Why a gzip source that decompressed to nothing is not simply empty: a whole empty member is at least
    /// 20 bytes and ends in a zero length; anything shorter is a header without its data. Null when it is empty.</summary>
    public string? GzipProblemWhenEmpty()
    {
        if (Length == 0)
        {
            return null; // an empty file, whatever its name
        }

        if (Length >= 20)
        {
            using var raw = OpenChecked(1);
            var trailer = new byte[4];
            if (RandomAccess.Read(raw.SafeFileHandle, trailer, Length - 4) == 4 && BitConverter.ToInt32(trailer) == 0)
            {
                return null;
            }
        }

        return $"the gzip file holds no data ({Length} bytes: a header without a complete compressed stream)";
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
        var file = OpenChecked(1 << 20);
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
