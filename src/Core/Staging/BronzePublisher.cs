using System.Security.Cryptography;
using PipelineOps.IO;

namespace PipelineOps.Staging;

/// <summary>
/// Publishes raw files into a dataset's bronze layer: copy under a hidden temporary name, check the size (and a
/// SHA-256 with Verify), flush, give it the raw file's mtime, rename into place without ever replacing a file,
/// then append the manifest entry. A crash before the rename leaves only a hidden temporary file; a crash between
/// rename and manifest append is repaired by the next run, which finds the copy and records it (Recovered).
/// </summary>
public sealed class BronzePublisher
{
    private const int MaxAttempts = 1000;
    private static readonly TimeSpan SameTime = TimeSpan.FromMicroseconds(2); // the manifest keeps microseconds

    private readonly DatasetLayout _layout;
    private readonly string _rawRoot;
    private readonly string _rawBase;
    private readonly string _canonicalRawRoot;
    private readonly BronzeOptions _options;
    private readonly Dictionary<string, ManifestEntry> _published = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _claimed = new(StringComparer.Ordinal); // bronze -> raw, from the manifest

    /// <param name="layout">The dataset to publish into.</param>
    /// <param name="rawRoot">The raw folder: bronze paths keep the subfolders below it, and the manifest records raw
    /// paths relative to its parent (raw/env0/data.csv).</param>
    /// <param name="options">Mapping and durability.</param>
    /// <param name="onBadManifestLine">Told about manifest lines that cannot be read.</param>
    public BronzePublisher(DatasetLayout layout, string rawRoot, BronzeOptions options, Action<Manifest.BadLine>? onBadManifestLine = null)
    {
        _layout = layout;
        _rawRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rawRoot));
        _rawBase = Path.GetDirectoryName(_rawRoot) ?? _rawRoot;
        _canonicalRawRoot = RealPath.Canonical(_rawRoot);
        _options = options;
        if (File.Exists(layout.ManifestFile))
        {
            foreach (var entry in Manifest.Read(layout.ManifestFile, onBadManifestLine))
            {
                _published[entry.Raw] = entry;
                _claimed[entry.Bronze] = entry.Raw;
            }
        }
    }

    /// <summary>The raw path as the manifest records it: relative to the raw root's parent, forward slashes.</summary>
    public string RawName(string rawFile)
    {
        BronzePath.RelativeToRoot(_rawRoot, rawFile);
        return Path.GetRelativePath(_rawBase, Path.GetFullPath(rawFile)).Replace('\\', '/');
    }

    /// <summary>Where the file would go, without writing anything: the first free bronze name, or the name of a copy
    /// already there with the same size and mtime.</summary>
    public BronzeTarget Plan(FileInfo raw) => Plan(raw.FullName, raw.Length, raw.LastWriteTimeUtc, null, CancellationToken.None);

    /// <param name="source">The opened raw file, when copies with the same size and mtime are to be compared by hash.</param>
    private BronzeTarget Plan(string raw, long size, DateTime mtime, Stream? source, CancellationToken cancellationToken)
    {
        var time = _options.Time?.ToUniversalTime() ?? mtime;
        var relative = BronzePath.RelativeToRoot(_rawRoot, raw);
        var name = RawName(raw);
        string? rawHash = null; // hashed once, and only if some candidate has the same size and mtime
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var bronze = BronzePath.Map(relative, time, _options.Environment, attempt);
            var full = Path.GetFullPath(Path.Combine(_layout.Folder, bronze));
            var existing = new FileInfo(full);
            if (!existing.Exists)
            {
                return new BronzeTarget(raw, bronze, full, time, false);
            }

            if (IsSameCopy(existing, size, mtime) && !ClaimedByOther(bronze, name)
                && (source is null || HashFile(full, cancellationToken) == (rawHash ??= HashStream(source, cancellationToken))))
            {
                return new BronzeTarget(raw, bronze, full, time, true);
            }
        }

        throw new IOException($"No free bronze name for '{raw}' after {MaxAttempts} attempts.");
    }

    /// <summary>Publishes one raw file. Failures come back as a Failed result naming the cause; nothing is left in bronze.</summary>
    /// <remarks>The raw file is opened once and judged on what was opened: only a regular file, lying inside the raw
    /// root once links are resolved (a link to /etc/passwd is refused, whatever its length or mtime), with one name
    /// (a hard link's other name may lie anywhere). Size, mtime and content all come from that one open file.</remarks>
    /// <exception cref="ArgumentException">The raw file's path lies outside the raw root.</exception>
    public PublishResult Publish(FileInfo raw, CancellationToken cancellationToken = default)
    {
        RawName(raw.FullName);
        OpenedFile source;
        try
        {
            source = OpenedFile.Open(raw.FullName, followLinks: true, _canonicalRawRoot);
        }
        catch (FileNotFoundException)
        {
            return Failed(raw, $"'{raw.FullName}' does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(raw, e.Message);
        }

        using (source)
        {
            return Publish(raw, source, cancellationToken);
        }
    }

    private PublishResult Publish(FileInfo raw, OpenedFile source, CancellationToken cancellationToken)
    {
        var name = RawName(raw.FullName);
        var size = source.Info.Length;
        var mtime = source.Info.LastWriteTimeUtc;
        if (_published.TryGetValue(name, out var known) && known.Size == size && (known.Mtime - mtime).Duration() < SameTime)
        {
            return new PublishResult(raw.FullName, known.Bronze, _layout.Resolve(known.Bronze), size, mtime, PublishStatus.UpToDate, null, null);
        }

        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var target = Plan(raw.FullName, size, mtime, _options.Verify ? source.Stream : null, cancellationToken);
                if (target.Existing)
                {
                    Record(name, target.Bronze, size, mtime);
                    return new PublishResult(raw.FullName, target.Bronze, target.BronzeFullPath, size, mtime, PublishStatus.Recovered,
                        "an earlier run copied it but did not record it", null);
                }

                var outcome = CopyInto(source.Stream, target.BronzeFullPath!, size, mtime, cancellationToken);
                if (outcome.Error is { } error)
                {
                    return Failed(raw, error);
                }

                if (outcome.Placed)
                {
                    Record(name, target.Bronze, size, mtime);
                    return new PublishResult(raw.FullName, target.Bronze, target.BronzeFullPath, size, mtime, PublishStatus.Copied, null, outcome.Sha256);
                }

                // Another publisher took the name between Plan and the rename: plan again.
            }

            return Failed(raw, "the bronze name kept being taken by other publishers");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(raw, e.Message);
        }
    }

    private readonly record struct CopyOutcome(bool Placed, string? Sha256, string? Error);

    private CopyOutcome CopyInto(FileStream source, string target, long size, DateTime mtime, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = Durable.TempPathFor(target);
        try
        {
            using var hash = _options.Verify ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            long copied;
            source.Position = 0;
            using (var copy = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                copied = Copy(source, copy, hash, cancellationToken);
                copy.Flush(flushToDisk: true);
            }

            // Asked of the open handle, not the path: the file that was copied is the one measured.
            var after = source.Length;
            if (copied != size || after != size || File.GetLastWriteTimeUtc(source.SafeFileHandle) != mtime)
            {
                return new CopyOutcome(false, null, $"it changed while being copied ({size} bytes before, {copied} copied, {after} after); try again when it is complete");
            }

            string? sha = null;
            if (hash is not null)
            {
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                var landed = HashFile(temp, cancellationToken);
                if (landed != sha)
                {
                    return new CopyOutcome(false, null, $"the copy's SHA-256 {landed} differs from the source's {sha}");
                }
            }

            File.SetLastWriteTimeUtc(temp, mtime);
            try
            {
                File.Move(temp, target, overwrite: false); // link-then-unlink on Unix: never replaces a file
            }
            catch (IOException) when (File.Exists(target))
            {
                return new CopyOutcome(false, null, null);
            }

            Durable.FlushDirectory(Path.GetDirectoryName(target)!);
            return new CopyOutcome(true, sha, null);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static long Copy(Stream source, Stream copy, IncrementalHash? hash, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash?.AppendData(buffer, 0, read);
            copy.Write(buffer, 0, read);
            total += read;
        }

        return total;
    }

    private static string HashFile(string path, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return HashStream(stream, cancellationToken);
    }

    private static string HashStream(Stream stream, CancellationToken cancellationToken)
    {
        stream.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Copy(stream, Stream.Null, hash, cancellationToken);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private bool ClaimedByOther(string bronze, string rawName) =>
        _claimed.TryGetValue(bronze, out var owner) && owner != rawName;

    private static bool IsSameCopy(FileInfo existing, long size, DateTime mtime) =>
        existing.Length == size && (existing.LastWriteTimeUtc - mtime).Duration() < SameTime;

    private void Record(string raw, string bronze, long size, DateTime mtime)
    {
        var entry = new ManifestEntry(raw, bronze, mtime, size, DateTime.UtcNow);
        Manifest.Append(_layout.ManifestFile, [entry], _options.Fsync);
        _published[raw] = entry;
        _claimed[bronze] = raw;
    }

    private static PublishResult Failed(FileInfo raw, string reason) =>
        new(raw.FullName, null, null, raw.Exists ? raw.Length : 0, raw.Exists ? raw.LastWriteTimeUtc : default, PublishStatus.Failed, reason, null);
}
