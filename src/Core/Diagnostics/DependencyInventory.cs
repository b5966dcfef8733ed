using System.Reflection;
using System.Runtime.Loader;

namespace PipelineOps.Diagnostics;

/// <summary>One assembly the engine runs with, and where it came from.</summary>
/// <param name="Name">Assembly name.</param>
/// <param name="Version">Product version (the package version, e.g. 6.1.0).</param>
/// <param name="AssemblyVersion">The assembly version the runtime binds by (often only major.0.0.0).</param>
/// <param name="LoadContext">"PipelineOps" for the module's private context; anything else means the assembly
/// came from elsewhere.</param>
/// <param name="Location">The file it was loaded from.</param>
public sealed record DependencyInfo(string Name, string Version, string AssemblyVersion, string LoadContext, string Location);

/// <summary>
/// Reports the assemblies the engine actually bound to. Support asks "which Parquet.Net is this?", and the
/// isolation tests ask whether the module's copies won over anything the host loaded first.
/// </summary>
public static class DependencyInventory
{
    // One type from each dependency, touched so the runtime must resolve it from this assembly's context.
    private static readonly Type[] Markers =
    [
        typeof(DependencyInventory),
        typeof(Parquet.ParquetWriter),
        typeof(Quartz.IScheduler),
        typeof(SharpCompress.Archives.IArchive),
        typeof(Microsoft.Extensions.Logging.ILogger),
    ];

    public static IReadOnlyList<DependencyInfo> Current() =>
        Markers.Select(t => Describe(t.Assembly)).ToArray();

    private static DependencyInfo Describe(Assembly assembly)
    {
        var name = assembly.GetName();
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational?.Split('+')[0] ?? name.Version?.ToString() ?? "?";
        var context = AssemblyLoadContext.GetLoadContext(assembly);
        return new DependencyInfo(name.Name ?? "?", version, name.Version?.ToString() ?? "?",
            context?.Name ?? "?", assembly.Location);
    }
}
