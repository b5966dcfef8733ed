using System.Security.Cryptography;
using PipelineOps.IO;

namespace PipelineOps.Segments;

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum SyncAction
{
    /// <summary>Copied, verified (size and SHA-256) and renamed into place.</summary>
    Copied,

    /// <summary>The destination already has the same file (same size and SHA-256): nothing to do.</summary>
    Skipped,

    /// <summary>The destination has a different file of that name: reported, never overwritten.</summary>
    Conflict,

    /// <summary>Not copied: a link that leads outside the tree, or the copy failed (Reason says which).</summary>
    Failed,
}

/// <param name="Source">The file in the source tree.</param>
/// <param name="Destination">Its path under the destination (same relative path).</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="Action">Copied, Skipped, Conflict or Failed.</param>
/// <param name="SourceRemoved">-RemoveSource deleted the source (only ever after its copy was verified).</param>
/// <param name="Sha256">The content's SHA-256 (hex), when it was read.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record SyncResult(string Source, string Destination, long Length, SyncAction Action, bool SourceRemoved, string? Sha256, string? Reason)
{
    public override string ToString() => Source;
}

/// <summary>
/// Sync-Segment: copies the completed files of a tree (ready/, a converted dataset, bronze) to a destination folder,
/// keeping relative paths. Each file is written under a hidden temporary name beside its final one, synced, read back
/// and compared by size and SHA-256 with what was read from the source, and only then renamed into place; a file
/// already there with the same size and hash is skipped, so a run after an interruption picks up where it stopped; a
/// different file of the same name is a conflict, never overwritten. Hidden files (temporary names) are not copied;
/// links that lead outside the source tree are not followed.
/// </summary>
public sealed class SegmentSync
{
    private const int BufferSize = 1 << 20;

    public SegmentSync(string source, string destination, bool removeSource = false)
    {
        Source = Path.GetFullPath(source);
        Destination = Path.GetFullPath(destination);
        RemoveSource = removeSource;
    }

    public string Source { get; }

    public string Destination { get; }

    public bool RemoveSource { get; }

    /// <summary>The files to consider, in path order, and links left out (as Failed results).</summary>
    public (IReadOnlyList<FileInfo> Files, IReadOnlyList<SyncResult> LeftOut) Plan()
    {
        var root = RealPath.Canonical(Source);
        var files = new List<FileInfo>();
        var leftOut = new List<SyncResult>();
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(Source));
        while (pending.Count > 0)
        {
            foreach (var entry in pending.Pop().EnumerateFileSystemInfos())
            {
                if (entry.Name.StartsWith('.'))
                {
                    continue; // temporary names, state folders
                }

                if (entry.LinkTarget is not null)
                {
                    var target = RealPath.Canonical(entry.FullName);
                    if (!IsUnder(target, root))
                    {
                        leftOut.Add(new SyncResult(entry.FullName, DestinationOf(entry.FullName), 0, SyncAction.Failed, false, null,
                            $"a link to {target}, outside the source tree: not followed"));
                        continue;
                    }

                    if (entry is DirectoryInfo)
                    {
                        continue; // its files are reached through their real place in the tree
                    }
                }

                if (entry is DirectoryInfo folder)
                {
                    pending.Push(folder);
                }
                else if (entry is FileInfo file)
                {
                    files.Add(file);
                }
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return (files, leftOut);
    }

    public string DestinationOf(string sourcePath) => Path.Combine(Destination, Path.GetRelativePath(Source, sourcePath));

    private static bool IsUnder(string path, string root) =>
        path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Copies one file; <paramref name="copied"/> hears of bytes as they are read.</summary>
    public SyncResult Copy(FileInfo file, Action<long>? copied = null, CancellationToken cancellationToken = default)
    {
        var target = DestinationOf(file.FullName);
        try
        {
            if (File.Exists(target))
            {
                var there = new FileInfo(target).Length;
                var hash = HashOf(file.FullName, copied, cancellationToken);
                if (there == file.Length && HashOf(target, null, cancellationToken) == hash)
                {
                    return Removed(new SyncResult(file.FullName, target, file.Length, SyncAction.Skipped, false, hash, "the destination already has this file"));
                }

                return new SyncResult(file.FullName, target, file.Length, SyncAction.Conflict, false, hash,
                    $"the destination has a different file of this name ({there} bytes): not overwritten");
            }

            var folder = Path.GetDirectoryName(target)!;
            Directory.CreateDirectory(folder);
            RemoveStaleTemps(folder, Path.GetFileName(target));
            var temp = Durable.TempPathFor(target);
            try
            {
                string sourceHash;
                long length;
                using (var input = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BufferSize))
                using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buffer = new byte[BufferSize];
                    length = 0;
                    int read;
                    while ((read = input.Read(buffer)) > 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        sha.AppendData(buffer, 0, read);
                        output.Write(buffer, 0, read);
                        length += read;
                        copied?.Invoke(read);
                    }

                    output.Flush(flushToDisk: true);
                    sourceHash = Convert.ToHexStringLower(sha.GetHashAndReset());
                }

                var written = new FileInfo(temp).Length;
                var writtenHash = HashOf(temp, null, cancellationToken);
                if (written != length || writtenHash != sourceHash)
                {
                    throw new IOException($"the copy does not match what was read ({written} bytes, SHA-256 {writtenHash}; read {length} bytes, {sourceHash})");
                }

                // No overwrite: a file that appeared meanwhile stays, and this copy is reported as a conflict.
                File.Move(temp, target, overwrite: false);
                Durable.FlushDirectory(folder);
                return Removed(new SyncResult(file.FullName, target, length, SyncAction.Copied, false, sourceHash, null));
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new SyncResult(file.FullName, target, file.Length, File.Exists(target) ? SyncAction.Conflict : SyncAction.Failed, false, null, e.Message);
        }
    }

    /// <summary>With -RemoveSource: the source goes once an identical copy is in place (copied and verified, or found).</summary>
    private SyncResult Removed(SyncResult result)
    {
        if (!RemoveSource)
        {
            return result;
        }

        File.Delete(result.Source);
        return result with { SourceRemoved = true };
    }

    /// <summary>Temporary copies of this name left by a run that was killed mid-file.</summary>
    private static void RemoveStaleTemps(string folder, string name)
    {
        foreach (var stale in Directory.EnumerateFiles(folder, $".{name}.tmp-*"))
        {
            File.Delete(stale);
        }
    }

    private static string HashOf(string path, Action<long>? read, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BufferSize);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sha.AppendData(buffer, 0, n);
            read?.Invoke(n);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
