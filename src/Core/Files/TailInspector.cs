using System.Runtime.InteropServices;
using PipelineOps.IO;

namespace PipelineOps.Files;

/// <summary>Reads the last bytes of a file to tell whether it ends mid-record.</summary>
public static class TailInspector
{
    private static ReadOnlySpan<byte> ParquetMagic => "PAR1"u8;

    /// <summary>
    /// True when the file ends in the middle of a record: a line-oriented file whose last byte is not a newline,
    /// or a Parquet file without the closing "PAR1" magic that a writer adds only when it finishes.
    /// Empty line-oriented files are not torn. Other formats are never reported torn.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="length">Its length as just measured; the bytes before this offset are read.</param>
    /// <exception cref="FileNotFoundException">The file is gone.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static bool HasTornTail(string path, long length)
    {
        var name = Path.GetFileName(path);
        if (FileNameRules.IsLineOriented(name))
        {
            return length > 0 && ReadBefore(path, length, 1)[0] != (byte)'\n';
        }

        if (FileNameRules.IsParquet(name))
        {
            return length < 12 || !ReadBefore(path, length, 4).AsSpan().SequenceEqual(ParquetMagic);
        }

        return false;
    }

    private static byte[] ReadBefore(string path, long length, int count)
    {
        var buffer = new byte[count];
        var read = OperatingSystem.IsLinux() ? PosixRead(path, buffer, length - count) : PortableRead(path, buffer, length - count);
        return read == count ? buffer : new byte[count]; // shrank meanwhile: zeros read as "not a newline"
    }

    private static int PortableRead(string path, byte[] buffer, long offset)
    {
        // Share everything: a writer must never be blocked by a reader asking this question.
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return RandomAccess.Read(handle, buffer, offset);
    }

    // open/pread/close: the three syscalls this needs. The portable path adds fstat and an advisory flock per
    // file, which is most of the cost when a directory holds 100,000 files.
    private static int PosixRead(string path, byte[] buffer, long offset)
    {
        var fd = Posix.open(path, Posix.ReadOnly | Posix.NonBlocking | Posix.CloseOnExec);
        if (fd < 0)
        {
            throw ErrorFor(Marshal.GetLastPInvokeError(), path);
        }

        try
        {
            var read = Posix.pread(fd, buffer, buffer.Length, offset);
            return read < 0 ? throw ErrorFor(Marshal.GetLastPInvokeError(), path) : (int)read;
        }
        finally
        {
            _ = Posix.close(fd);
        }
    }

    private static Exception ErrorFor(int errno, string path) => errno switch
    {
        Posix.NoSuchFile => new FileNotFoundException($"Cannot find file '{path}'.", path),
        Posix.AccessDenied or Posix.NotPermitted => new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
        _ => new IOException($"Cannot read '{path}': {Marshal.GetPInvokeErrorMessage(errno)}", errno),
    };
}
