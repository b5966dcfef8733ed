using System.Runtime.InteropServices;

namespace PipelineOps.IO;

/// <summary>Paths with every symbolic link resolved, as the kernel sees them.</summary>
public static class RealPath
{
    /// <summary>The absolute path with symbolic links resolved (in every segment on Unix, the last one elsewhere);
    /// the full path unchanged when it cannot be resolved (it does not exist).</summary>
    public static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }

        var resolved = Posix.realpath(full, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return full;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? full;
        }
        finally
        {
            Posix.free(resolved);
        }
    }
}
