using System.Runtime.InteropServices;

namespace PipelineOps.IO;

/// <summary>The few libc calls .NET does not expose the way we need them (Linux and other Unix systems).</summary>
internal static class Posix
{
    public const int ReadOnly = 0;             // O_RDONLY
    public const int NonBlocking = 0x800;      // O_NONBLOCK: a FIFO named like a data file must not hang us
    // O_DIRECTORY and O_NOFOLLOW differ between architectures: arm and arm64 (a Raspberry Pi) use other bits.
    public static readonly int Directory = IsArm ? 0x4000 : 0x10000;
    public static readonly int NoFollow = IsArm ? 0x8000 : 0x20000;
    public const int CloseOnExec = 0x80000;    // O_CLOEXEC
    public const int EmptyPath = 0x1000;       // AT_EMPTY_PATH: statx on the descriptor itself
    public const int StatxBasic = 0x7ff;       // STATX_BASIC_STATS
    public const int TooManyLinks = 40;        // ELOOP: what O_NOFOLLOW answers for a link
    public const int NotPermitted = 1;         // EPERM
    public const int NoSuchFile = 2;           // ENOENT
    public const int AccessDenied = 13;        // EACCES
    public const int GetFlags = 3;             // F_GETFL
    public const int SetFlags = 4;             // F_SETFL
    public const int Append = 0x400;           // O_APPEND (the same on every Linux architecture)

    private static bool IsArm => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64;

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    public static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern int statx(int dirfd, string path, int flags, int mask, byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    public static extern int fcntl(int fd, int command, int argument);

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
