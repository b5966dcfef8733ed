using System.Runtime.InteropServices;

namespace PipelineOps.IO;

/// <summary>The few libc calls .NET does not expose the way we need them (Linux and other Unix systems).</summary>
internal static class Posix
{
    public const int ReadOnly = 0;             // O_RDONLY
    public const int NonBlocking = 0x800;      // O_NONBLOCK: a FIFO named like a data file must not hang us
    public const int Directory = 0x10000;      // O_DIRECTORY
    public const int CloseOnExec = 0x80000;    // O_CLOEXEC
    public const int NotPermitted = 1;         // EPERM
    public const int NoSuchFile = 2;           // ENOENT
    public const int AccessDenied = 13;        // EACCES

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    public static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern nint pread(int fd, byte[] buffer, nint count, long offset);

    [DllImport("libc", SetLastError = true)]
    public static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int syncfs(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    public static extern IntPtr realpath(string path, IntPtr resolved);

    [DllImport("libc")]
    public static extern void free(IntPtr pointer);
}
