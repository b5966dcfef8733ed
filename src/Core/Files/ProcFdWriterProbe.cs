using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using PipelineOps.IO;

namespace PipelineOps.Files;

/// <summary>
/// Linux: every open file descriptor is a link under /proc/PID/fd, and /proc/PID/fdinfo/FD gives its open flags.
/// One pass reads the links of all processes (a snapshot, refreshed when older than two seconds); the flags are
/// read only for descriptors that point at a file someone asks about. A file whose directory holds no open
/// file at all is answered without a syscall, which keeps 100,000-file directories fast.
/// </summary>
public sealed class ProcFdWriterProbe : IOpenWriterProbe
{
    private static readonly TimeSpan MaxSnapshotAge = TimeSpan.FromSeconds(2);
    private const int AccessModeMask = 3; // O_ACCMODE
    private const int ReadOnly = 0;       // O_RDONLY

    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, string> _canonicalDirectories = new(StringComparer.Ordinal);
    private readonly object _refresh = new();
    private volatile Snapshot? _snapshot;

    public ProcFdWriterProbe(TimeProvider clock) => _clock = clock;

    public WriterCheck Coverage => _snapshot is { HiddenProcesses: > 0 } ? WriterCheck.Partial : WriterCheck.Complete;

    public IReadOnlyList<string> WritersOf(FileEntry file)
    {
        var snapshot = Current();
        if (snapshot.ByTarget.Count == 0)
        {
            return [];
        }

        string canonical;
        if (file.IsLink)
        {
            canonical = Canonical(file.FullPath);
        }
        else
        {
            var directory = _canonicalDirectories.GetOrAdd(file.Directory, Canonical);
            if (!snapshot.Directories.Contains(directory))
            {
                return [];
            }

            canonical = Path.Join(directory, file.Name);
        }

        if (!snapshot.ByTarget.TryGetValue(canonical, out var holders))
        {
            return [];
        }

        return holders.Where(IsOpenForWrite).Select(d => d.Pid).Distinct()
            .Select(pid => string.Create(CultureInfo.InvariantCulture, $"{pid} {ProcessName(pid)}")).ToArray();
    }

    private Snapshot Current()
    {
        var snapshot = _snapshot;
        if (snapshot is not null && _clock.GetUtcNow() - snapshot.TakenAt < MaxSnapshotAge)
        {
            return snapshot;
        }

        lock (_refresh)
        {
            snapshot = _snapshot;
            if (snapshot is null || _clock.GetUtcNow() - snapshot.TakenAt >= MaxSnapshotAge)
            {
                _snapshot = snapshot = Take(_clock.GetUtcNow());
            }

            return snapshot;
        }
    }

    private static Snapshot Take(DateTimeOffset now)
    {
        var byTarget = new Dictionary<string, List<Descriptor>>(StringComparer.Ordinal);
        var hidden = 0;
        foreach (var processDir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(processDir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fdPath in Directory.EnumerateFileSystemEntries(Path.Combine(processDir, "fd")))
                {
                    var target = LinkTarget(fdPath);
                    if (target is null || target.Length == 0 || target[0] != '/')
                    {
                        continue; // sockets, pipes, anon inodes
                    }

                    if (!byTarget.TryGetValue(target, out var list))
                    {
                        byTarget[target] = list = [];
                    }

                    list.Add(new Descriptor(pid, Path.GetFileName(fdPath)));
                }
            }
            catch (UnauthorizedAccessException)
            {
                hidden++;
            }
            catch (Exception e) when (e is DirectoryNotFoundException or IOException)
            {
                // The process ended while we looked.
            }
        }

        var directories = new HashSet<string>(byTarget.Keys.Select(t => Path.GetDirectoryName(t) ?? "/"), StringComparer.Ordinal);
        return new Snapshot(byTarget, directories, now, hidden);
    }

    private static string? LinkTarget(string fdPath)
    {
        try
        {
            return new FileInfo(fdPath).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // closed meanwhile
        }
    }

    private static bool IsOpenForWrite(Descriptor d)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{d.Pid}/fdinfo/{d.Fd}"))
            {
                if (line.StartsWith("flags:", StringComparison.Ordinal))
                {
                    var flags = Convert.ToInt32(line["flags:".Length..].Trim(), 8);
                    return (flags & AccessModeMask) != ReadOnly;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Closed meanwhile, or not ours to see: no evidence of a writer.
        }

        return false;
    }

    private static string ProcessName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    /// <summary>The path as the kernel reports it in /proc: absolute, with symbolic links resolved.</summary>
    private static string Canonical(string path) => IO.RealPath.Canonical(path);

    private sealed record Snapshot(
        Dictionary<string, List<Descriptor>> ByTarget, HashSet<string> Directories, DateTimeOffset TakenAt, int HiddenProcesses);

    private readonly record struct Descriptor(int Pid, string Fd);
}
