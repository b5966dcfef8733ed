using System.Collections;
using System.Management.Automation;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

/// <summary>The manifest says exactly what the module is, and the staged folder holds what it needs.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    private Hashtable Manifest() =>
        (Hashtable)_ps.Run("& ([scriptblock]::Create([System.IO.File]::ReadAllText($p)))", ("p", Repo.ModuleManifest)).Output.Single().BaseObject;

    private string[] CmdletTypesInAssembly() =>
        _ps.Run("""
            (Get-Module PipelineOps).ImplementingAssembly.GetExportedTypes() |
                ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
                ForEach-Object { '{0}-{1}' -f $_.VerbName, $_.NounName }
            """).Strings.Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void CmdletsToExport_lists_every_cmdlet_in_the_assembly_and_nothing_else()
    {
        var exported = ((object[])Manifest()["CmdletsToExport"]!).Cast<string>().Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(CmdletTypesInAssembly(), exported);
        Assert.Equal(exported, _ps.Run("(Get-Command -Module PipelineOps -CommandType Cmdlet).Name").Strings.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_manifest_declares_the_module_as_the_documentation_says()
    {
        var manifest = Manifest();

        Assert.Equal("PipelineOps.dll", manifest["RootModule"]);
        Assert.Equal("7.6", manifest["PowerShellVersion"]);
        Assert.Equal(["Core"], ((object[])manifest["CompatiblePSEditions"]!).Cast<string>());
        foreach (var key in new[] { "FunctionsToExport", "VariablesToExport", "AliasesToExport", "CmdletsToExport" })
        {
            Assert.DoesNotContain("*", ((object[])manifest[key]!).Cast<string>());
        }

        foreach (var file in ((object[])manifest["FormatsToProcess"]!).Concat((object[])manifest["TypesToProcess"]!).Cast<string>())
        {
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(Repo.ModuleManifest)!, file)), file);
        }
    }

    [Fact]
    public void The_module_version_matches_the_assembly_version()
    {
        var result = _ps.Run("$m = Get-Module PipelineOps; '{0}|{1}' -f $m.Version, $m.ImplementingAssembly.GetName().Version.ToString(3)");

        var parts = result.Strings.Single().Split('|');
        Assert.Equal(parts[0], parts[1]);
    }

    [Fact]
    public void The_staged_module_keeps_every_dependency_out_of_the_module_root()
    {
        var root = Path.GetDirectoryName(Repo.ModuleManifest)!;
        var rootAssemblies = Directory.GetFiles(root, "*.dll").Select(Path.GetFileName);
        var dependencies = Directory.GetFiles(Path.Combine(root, "dependencies"), "*.dll").Select(Path.GetFileName).ToArray();

        Assert.Equal(["PipelineOps.dll"], rootAssemblies);
        Assert.Contains("PipelineOps.Core.dll", dependencies);
        Assert.Contains("Parquet.dll", dependencies);
        Assert.Contains("Quartz.dll", dependencies);
        Assert.Contains("SharpCompress.dll", dependencies);
        Assert.DoesNotContain("System.Management.Automation.dll", dependencies);
    }

    [Fact]
    public void On_linux_x64_the_engine_and_the_libraries_a_conversion_runs_in_are_precompiled()
    {
        // Built elsewhere, they stay plain IL (src/ReadyToRun.targets compiles for linux-x64 only).
        var precompiled = OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;
        var dependencies = Path.Combine(Path.GetDirectoryName(Repo.ModuleManifest)!, "dependencies");

        foreach (var name in new[] { "PipelineOps.Core.dll", "Parquet.dll", "ZstdSharp.dll", "Snappier.dll" })
        {
            using var pe = new PEReader(File.OpenRead(Path.Combine(dependencies, name)));
            Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0 == precompiled, name);
        }
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_type()
    {
        var result = _ps.Run("Get-Command -Module PipelineOps | Where-Object { $_.OutputType.Count -eq 0 } | ForEach-Object Name");

        Assert.Empty(result.Strings);
    }

    [Fact]
    public void Removing_and_importing_the_module_again_works()
    {
        var result = _ps.Run("Remove-Module PipelineOps; Import-Module $p; (Test-FileActive -LiteralPath $p -Quiet).GetType().Name",
            ("p", Repo.ModuleManifest));

        Assert.Empty(result.Errors);
        Assert.Equal(["Boolean"], result.Strings);
    }
}
