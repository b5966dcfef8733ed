namespace PipelineOps.IO;

/// <summary>
/// The write-to-temp, flush-to-disk, rename discipline. A reader never sees a partial file: the final name
/// appears only by an atomic rename, after the content is on disk, and the directory entry is flushed too so
/// the rename itself survives a power loss.
/// </summary>
public static class Durable
{
    /// <summary>A temporary name beside <paramref name="finalPath"/>: hidden (leading dot), so dataset readers
    /// that skip hidden files (Spark, Hive, pyarrow) and globs for *.parquet never pick it up.</summary>
    public static string TempPathFor(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath)!, $".{Path.GetFileName(finalPath)}.tmp-{Guid.NewGuid():N}");

    /// <summary>True for names made by <see cref="TempPathFor"/>.</summary>
    public static bool IsTempName(string fileName) =>
        fileName.StartsWith('.') && fileName.Contains(".tmp-", StringComparison.Ordinal);

    /// <summary>Renames a temporary file over its final name, then (with <paramref name="flush"/>) flushes the
    /// directory entry. Without it the rename is atomic but not yet durable: for callers that flush a whole batch
    /// at once.</summary>
    public static void Publish(string tempPath, string finalPath, bool flush = true)
    {
        File.Move(tempPath, finalPath, overwrite: true);
        if (flush)
        {
            FlushDirectory(Path.GetDirectoryName(finalPath)!);
        }
    }

    /// <summary>Writes a whole small file atomically (state files, rejects); with <paramref name="flush"/> (the
    /// default) it is also on disk when this returns.</summary>
    public static void WriteAllBytes(string finalPath, ReadOnlySpan<byte> content, bool flush = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        var temp = TempPathFor(finalPath);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: flush);
            }

            Publish(temp, finalPath, flush);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Flushes everything written to the file system holding <paramref name="directory"/> (syncfs on Linux): one call
    /// that makes a batch of files and renames durable, where an fsync per file would cost a disk flush each.
    /// Elsewhere it falls back to flushing the directory entry.
    /// </summary>
    public static void FlushFileSystem(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            FlushDirectory(directory);
            return;
        }

        var fd = Posix.open(directory, Posix.ReadOnly | Posix.Directory | Posix.CloseOnExec);
        if (fd < 0)
        {
            return;
        }

        _ = Posix.syncfs(fd);
        _ = Posix.close(fd);
    }

    /// <summary>fsync on a directory, so entries created or renamed in it are durable (Linux/Unix; no-op elsewhere).</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Posix.open(directory, Posix.ReadOnly | Posix.Directory | Posix.CloseOnExec);
        if (fd < 0)
        {
            return; // best effort: the data itself is already on disk
        }

        _ = Posix.fsync(fd);
        _ = Posix.close(fd);
    }
}
