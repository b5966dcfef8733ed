using Microsoft.Win32.SafeHandles;

namespace PipelineOps.IO;

/// <summary>
/// Puts a file opened for writing into append mode (O_APPEND): the kernel then puts every write at the file's end,
/// whatever offset the writer passes. A writer that keeps the file's length itself, instead of asking for it before
/// each write, so never overwrites what another process appended meanwhile (Linux appends even a pwrite).
/// </summary>
internal static class KernelAppend
{
    /// <returns>True when the kernel now appends every write; false where it cannot (not Linux, or fcntl refused).</returns>
    public static bool TryEnable(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var fd = (int)handle.DangerousGetHandle();
        var flags = Posix.fcntl(fd, Posix.GetFlags, 0);
        return flags >= 0 && ((flags & Posix.Append) != 0 || Posix.fcntl(fd, Posix.SetFlags, flags | Posix.Append) == 0);
    }
}
