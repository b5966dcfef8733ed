using System.Reflection;

namespace PipelineOps.Module.Tests.Support;

/// <summary>Where the staged module and host live.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string ModuleManifest => Path.Combine(Root, "out", "PipelineOps", "PipelineOps.psd1");

    public static string HostExecutable => Path.Combine(Root, "out", "host", OperatingSystem.IsWindows() ? "pipelineops.exe" : "pipelineops");

    public static string Metadata(string key) =>
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PipelineOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (PipelineOps.sln) above " + AppContext.BaseDirectory);
    }
}
