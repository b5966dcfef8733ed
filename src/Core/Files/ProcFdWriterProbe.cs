using System.Globalization;
using System.Runtime.InteropServices;

namespace PipelineOps.Files;

/// <summary>
/// Linux: every open file descriptor is a link under /proc/PID/fd, and /proc/PID/fdinfo/FD gives its open flags.
/// One pass reads the links of all processes (a snapshot, refreshed when older than two seconds); the flags are
/// read only for descriptors that point at a file someone asks about.
/// </summary>
public sealed class ProcFdWriterProbe : IOpenWriterProbe
{
    private static readonly TimeSpan MaxSnapshotAge = TimeSpan.FromSeconds(2);
    private const int AccessModeMask = 3; // O_ACCMODE
    private const int ReadOnly = 0;       // O_RDONLY

    private readonly TimeProvider _clock;
    private Dictionary<string, List<Descriptor>>? _byTarget;
    private DateTimeOffset _takenAt;
    private int _hiddenProcesses;

    public ProcFdWriterProbe(TimeProvider clock) => _clock = clock;

    public WriterCheck Coverage => _hiddenProcesses > 0 ? WriterCheck.Partial : WriterCheck.Complete;

    public IReadOnlyList<string> WritersOf(string fullPath)
    {
        var byTarget = Snapshot();
        if (!byTarget.TryGetValue(Canonical(fullPath), out var holders))
        {
            return [];
        }

        return holders.Where(IsOpenForWrite).Select(d => d.Pid).Distinct()
            .Select(pid => string.Create(CultureInfo.InvariantCulture, $"{pid} {ProcessName(pid)}")).ToArray();
    }

    private Dictionary<string, List<Descriptor>> Snapshot()
    {
        var now = _clock.GetUtcNow();
        if (_byTarget is not null && now - _takenAt < MaxSnapshotAge)
        {
            return _byTarget;
        }

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

        _byTarget = byTarget;
        _takenAt = now;
        _hiddenProcesses = hidden;
        return byTarget;
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
    private static string Canonical(string path)
    {
        var resolved = NativeMethods.realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return path;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? path;
        }
        finally
        {
            NativeMethods.free(resolved);
        }
    }

    private readonly record struct Descriptor(int Pid, string Fd);

    private static class NativeMethods
    {
        [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        internal static extern IntPtr realpath(string path, IntPtr resolved);

        [DllImport("libc")]
        internal static extern void free(IntPtr pointer);
    }
}
