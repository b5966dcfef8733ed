using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PipelineOps.IO;

/// <summary>What an opened regular file is, read from the handle itself (not from a path checked earlier).</summary>
/// <param name="Length">Bytes, as the handle saw them when it was opened.</param>
/// <param name="LinkCount">Hard links to the file; more than one means other names may lie anywhere on the volume.</param>
public sealed record RegularFileInfo(long Length, DateTime LastWriteTimeUtc, int LinkCount, ulong Device, ulong Inode);

/// <summary>A path that is not a regular file (a FIFO, a device, a socket, a directory, or a symbolic link that was
/// not to be followed). Reading such a path could hang or never end, so it is refused before any read.</summary>
public sealed class NotRegularFileException(string path, string kind)
    : IOException($"'{path}' is a {kind}, not a regular file; only regular files are read.")
{
    public string Path { get; } = path;

    /// <summary>What the path is instead: "FIFO", "character device", "symbolic link", ...</summary>
    public string Kind { get; } = kind;
}

/// <summary>
/// Opens files for reading only when they are regular files. The check is made on the opened descriptor, so a
/// path swapped for a link or a FIFO after an earlier look cannot slip through, and opening never blocks: a FIFO
/// is opened non-blocking and refused at once.
/// </summary>
public static class RegularFile
{
    private const int TypeMask = 0xF000;   // S_IFMT
    private const int StatxSize = 256;

    /// <summary>Opens <paramref name="path"/> for reading, writers never blocked.</summary>
    /// <param name="followLinks">False: a symbolic link as the last path segment is refused (O_NOFOLLOW).</param>
    /// <exception cref="NotRegularFileException">The path is not a regular file.</exception>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    public static FileStream OpenRead(string path, bool followLinks, out RegularFileInfo info, int bufferSize = 1 << 16)
    {
        if (OperatingSystem.IsWindows())
        {
            return OpenReadWindows(path, followLinks, out info, bufferSize);
        }

        var handle = OpenUnix(path, followLinks, out info);
        return new FileStream(handle, FileAccess.Read, bufferSize);
    }

    /// <summary>What the path is, without reading it: null and a reason (the <see cref="NotRegularFileException"/>'s
    /// kind) when it is not a regular file or cannot be opened.</summary>
    public static RegularFileInfo? Inspect(string path, bool followLinks, out string? refusal)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                using var stream = OpenReadWindows(path, followLinks, out var windowsInfo, 1);
                refusal = null;
                return windowsInfo;
            }

            using var handle = OpenUnix(path, followLinks, out var info);
            refusal = null;
            return info;
        }
        catch (NotRegularFileException e)
        {
            refusal = e.Kind;
            return null;
        }
    }

    private static SafeFileHandle OpenUnix(string path, bool followLinks, out RegularFileInfo info)
    {
        var flags = Posix.ReadOnly | Posix.NonBlocking | Posix.CloseOnExec | (followLinks ? 0 : Posix.NoFollow);
        var fd = Posix.open(path, flags);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (!followLinks && errno != Posix.TooManyLinks && new FileInfo(path).LinkTarget is not null)
            {
                // The call failed on a link under O_NOFOLLOW (strace shows ELOOP), but the error number read back has
                // been seen as ENOENT in loaded hosts: nothing was opened, so what the path is names the refusal.
                errno = Posix.TooManyLinks;
            }

            throw errno switch
            {
                Posix.TooManyLinks when !followLinks => new NotRegularFileException(path, "symbolic link"),
                Posix.NoSuchFile => new FileNotFoundException($"Cannot find file '{path}'.", path),
                Posix.AccessDenied or Posix.NotPermitted => new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
                _ => new IOException($"Cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)}."),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var stat = new byte[StatxSize];
            if (Posix.statx(fd, string.Empty, Posix.EmptyPath, Posix.StatxBasic, stat) != 0)
            {
                throw new IOException($"Cannot read what '{path}' is: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }

            var mode = BinaryPrimitives.ReadUInt16LittleEndian(stat.AsSpan(28));
            var kind = KindOf(mode & TypeMask);
            if (kind is not null)
            {
                throw new NotRegularFileException(path, kind);
            }

            // A regular file reads the same with or without O_NONBLOCK; clear it so nothing downstream is surprised.
            var current = Posix.fcntl(fd, Posix.GetFlags, 0);
            if (current >= 0)
            {
                Posix.fcntl(fd, Posix.SetFlags, current & ~Posix.NonBlocking);
            }

            info = new RegularFileInfo(
                Length: (long)BinaryPrimitives.ReadUInt64LittleEndian(stat.AsSpan(40)),
                LastWriteTimeUtc: DateTime.UnixEpoch
                    .AddSeconds(BinaryPrimitives.ReadInt64LittleEndian(stat.AsSpan(112)))
                    .AddTicks(BinaryPrimitives.ReadUInt32LittleEndian(stat.AsSpan(120)) / 100),
                LinkCount: (int)BinaryPrimitives.ReadUInt32LittleEndian(stat.AsSpan(16)),
                Device: ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(stat.AsSpan(136)) << 32)
                        | BinaryPrimitives.ReadUInt32LittleEndian(stat.AsSpan(140)),
                Inode: BinaryPrimitives.ReadUInt64LittleEndian(stat.AsSpan(32)));
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static string? KindOf(int type) => type switch
    {
        0x8000 => null,
        0x1000 => "FIFO",
        0x2000 => "character device",
        0x4000 => "directory",
        0x6000 => "block device",
        0xA000 => "symbolic link",
        0xC000 => "socket",
        _ => "special file",
    };

    private static FileStream OpenReadWindows(string path, bool followLinks, out RegularFileInfo info, int bufferSize)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw Directory.Exists(path)
                ? new NotRegularFileException(path, "directory")
                : new FileNotFoundException($"Cannot find file '{path}'.", path);
        }

        if (!followLinks && file.LinkTarget is not null)
        {
            throw new NotRegularFileException(path, "symbolic link");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize);
        info = new RegularFileInfo(stream.Length, File.GetLastWriteTimeUtc(stream.SafeFileHandle), 1, 0, 0);
        return stream;
    }
}
