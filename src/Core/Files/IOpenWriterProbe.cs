namespace PipelineOps.Files;

/// <summary>Finds processes that hold a file open for writing.</summary>
public interface IOpenWriterProbe
{
    /// <summary>How far the last look could see.</summary>
    WriterCheck Coverage { get; }

    /// <summary>Processes ("pid name") holding the file open for writing; empty when none was seen.
    /// Safe to call from several threads at once.</summary>
    IReadOnlyList<string> WritersOf(FileEntry file);
}

public static class OpenWriterProbe
{
    /// <summary>The best probe this platform offers.</summary>
    public static IOpenWriterProbe ForCurrentPlatform(TimeProvider clock)
    {
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd"))
        {
            return new ProcFdWriterProbe(clock);
        }

        if (OperatingSystem.IsWindows())
        {
            return new ShareDenyWriterProbe();
        }

        return UnavailableWriterProbe.Instance;
    }
}

/// <summary>Used where no check is possible; says so through <see cref="Coverage"/>.</summary>
public sealed class UnavailableWriterProbe : IOpenWriterProbe
{
    public static readonly UnavailableWriterProbe Instance = new();

    public WriterCheck Coverage => WriterCheck.Unavailable;

    public IReadOnlyList<string> WritersOf(FileEntry file) => [];
}
