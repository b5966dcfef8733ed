using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace PipelineOps.Loading;

/// <summary>
/// The module's private load context. It answers only for assemblies that ship in the module's dependencies/
/// folder (PipelineOps.Core and what it pulls in); everything else, the framework and PowerShell itself, falls
/// through to the default context. So pwsh may hold other versions of Parquet.Net, Quartz, SharpCompress or
/// Microsoft.Extensions.* and both keep working.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _directory;

    public DependencyLoadContext(string directory)
        : base("PipelineOps", isCollectible: false)
    {
        _directory = directory;
    }

    public string Directory => _directory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        // Native libraries shipped by dependencies sit under runtimes/<rid>/native/.
        var rid = RuntimeInformation.RuntimeIdentifier;
        foreach (var candidate in NativeCandidates(unmanagedDllName))
        {
            foreach (var folder in new[] { Path.Combine(_directory, "runtimes", rid, "native"), Path.Combine(_directory, "runtimes", PortableRid(), "native"), _directory })
            {
                var path = Path.Combine(folder, candidate);
                if (File.Exists(path))
                {
                    return LoadUnmanagedDllFromPath(path);
                }
            }
        }

        return IntPtr.Zero;
    }

    private static IEnumerable<string> NativeCandidates(string name)
    {
        yield return name;
        if (OperatingSystem.IsWindows())
        {
            yield return name + ".dll";
        }
        else
        {
            var ext = OperatingSystem.IsMacOS() ? ".dylib" : ".so";
            yield return name + ext;
            yield return "lib" + name + ext;
        }
    }

    private static string PortableRid()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
    }
}
