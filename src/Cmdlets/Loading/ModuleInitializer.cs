using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace PipelineOps.Loading;

/// <summary>
/// Hooks the default load context so that the one assembly the cmdlets reference directly, PipelineOps.Core,
/// is loaded from dependencies/ into the private context. Core's own references then resolve inside that
/// context. Nothing else is answered for: we never hand our copies to other code.
/// </summary>
/// <remarks>
/// PowerShell scans the assembly's exported types (GetExportedTypes) before it calls <see cref="OnImport"/>, and
/// that scan lays out every public type's fields. So public cmdlet types must not hold fields (parameters) of
/// Core value types such as enums: they would force Core to load before this hook exists. Reference-type
/// fields are fine; use string parameters with ValidateSet for Core enums.
/// </remarks>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string CoreAssemblyName = "PipelineOps.Core";

    private static readonly object Gate = new();
    private static DependencyLoadContext? s_context;
    private static bool s_hooked;
    private static int s_imports;

    public void OnImport()
    {
        Register();
        Interlocked.Increment(ref s_imports);
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // Long-running work this runspace started ends with the module, before the resolver is unhooked.
        if (System.Management.Automation.Runspaces.Runspace.DefaultRunspace?.InstanceId is { } runspace)
        {
            ModuleCleanup.StopOwnedBy(runspace);
        }

        lock (Gate)
        {
            // Keep the context (assemblies cannot be unloaded from it) but stop answering for it once no runspace has
            // the module: every runspace shares the hook, and a job's runspace removing its copy must not take it
            // from the session that runs the scheduler.
            if (Interlocked.Decrement(ref s_imports) <= 0 && s_hooked)
            {
                AssemblyLoadContext.Default.Resolving -= ResolveCore;
                s_hooked = false;
            }
        }
    }

    // Also runs when the assembly is first touched, so Core resolves even if PowerShell inspects a cmdlet
    // type before calling OnImport.
#pragma warning disable CA2255 // A library that must hook assembly resolution before its own types load is the intended case.
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        lock (Gate)
        {
            if (s_hooked)
            {
                return;
            }

            var moduleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
            s_context ??= new DependencyLoadContext(Path.Combine(moduleDirectory, "dependencies"));
            AssemblyLoadContext.Default.Resolving += ResolveCore;
            s_hooked = true;
        }
    }

    /// <summary>The private context (for diagnostics).</summary>
    internal static DependencyLoadContext? Context => s_context;

    private static Assembly? ResolveCore(AssemblyLoadContext defaultContext, AssemblyName name) =>
        string.Equals(name.Name, CoreAssemblyName, StringComparison.Ordinal) && s_context is { } context
            ? context.LoadFromAssemblyName(name)
            : null;
}
