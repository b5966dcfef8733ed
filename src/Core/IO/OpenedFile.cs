using Microsoft.Win32.SafeHandles;

namespace PipelineOps.IO;

/// <summary>A file that resolves outside the folder it must stay in, or that has other names (hard links) which may.</summary>
public sealed class OutsideFolderException(string path, string reason) : IOException($"'{path}' {reason}; it is not read.")
{
    public string Path { get; } = path;
}

/// <summary>A regular file opened for reading, with what it is and where it really lies, both read from the handle.</summary>
public sealed class OpenedFile : IDisposable
{
    private OpenedFile(FileStream stream, RegularFileInfo info, string realPath)
    {
        Stream = stream;
        Info = info;
        RealPath = realPath;
    }

    public FileStream Stream { get; }

    public RegularFileInfo Info { get; }

    /// <summary>The path of what was opened, links resolved (on Linux from /proc/self/fd, so a path swapped after an
    /// earlier check cannot mislead it; elsewhere the path resolved just after opening).</summary>
    public string RealPath { get; }

    /// <summary>Opens <paramref name="path"/> (<see cref="RegularFile.OpenRead"/>) and, when <paramref name="within"/> is
    /// given, refuses it unless what was opened lies inside that folder (links resolved) and has one name only.</summary>
    /// <param name="within">A canonical folder (<see cref="IO.RealPath.Canonical"/>) the file must lie in, or null.</param>
    /// <exception cref="NotRegularFileException">Not a regular file, or a link not followed.</exception>
    /// <exception cref="OutsideFolderException">What was opened lies outside <paramref name="within"/>, or may (hard links).</exception>
    public static OpenedFile Open(string path, bool followLinks, string? within = null)
    {
        var stream = RegularFile.OpenRead(path, followLinks, out var info);
        try
        {
            var real = RealPathOf(stream.SafeFileHandle, path);
            if (within is not null)
            {
                if (!IsInside(real, within))
                {
                    throw new OutsideFolderException(path, real == Path.GetFullPath(path)
                        ? $"lies outside '{within}'"
                        : $"leads through a symbolic link to '{real}', outside '{within}'");
                }

                if (info.LinkCount > 1)
                {
                    // Its other names may lie anywhere on the volume (a hard link to a file outside the folder).
                    throw new OutsideFolderException(path, $"has {info.LinkCount} hard links, and its other names may lie outside '{within}'");
                }
            }

            return new OpenedFile(stream, info, real);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it.</summary>
    public static bool IsInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var root = Path.TrimEndingDirectorySeparator(folder);
        return path.Equals(root, comparison) || path.StartsWith(root + Path.DirectorySeparatorChar, comparison);
    }

    private static string RealPathOf(SafeFileHandle handle, string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var link = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
            if (link is not null && link.StartsWith('/'))
            {
                return link;
            }
        }

        return IO.RealPath.Canonical(path);
    }

    public void Dispose() => Stream.Dispose();
}
