namespace PipelineOps.Staging;

/// <summary>
/// Where a dataset's parts live: {root}/{vendor}/{dataset}/{version}/ with bronze/, silver/, gold/, manifests/ and
/// samples/ beneath. Paths in the manifest are relative to <see cref="Folder"/>.
/// </summary>
public sealed record DatasetLayout(string Folder)
{
    public static DatasetLayout For(string root, string vendor, string dataset, string version)
    {
        foreach (var (name, value) in new[] { ("Vendor", vendor), ("Dataset", dataset), ("Version", version) })
        {
            if (value.Length == 0 || value is "." or ".." || value.IndexOfAny(['/', '\\']) >= 0)
            {
                throw new ArgumentException($"{name} '{value}' must be a single folder name.", name);
            }
        }

        return new DatasetLayout(Path.Combine(Path.GetFullPath(root), vendor, dataset, version));
    }

    /// <summary>The dataset of a manifest file: the folder above its manifests/ folder.</summary>
    public static DatasetLayout OfManifest(string manifestFile) =>
        new(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(manifestFile))!)!) { ManifestFile = Path.GetFullPath(manifestFile) };

    private readonly string? _manifestFile;

    public string Bronze => Path.Combine(Folder, "bronze");

    public string Samples => Path.Combine(Folder, "samples");

    /// <summary>manifests/processed.jsonl unless the layout was made from another manifest file.</summary>
    public string ManifestFile
    {
        get => _manifestFile ?? Path.Combine(Folder, "manifests", "processed.jsonl");
        init => _manifestFile = value;
    }

    /// <summary>The sampler's small state beside its manifest: how far into it the sampler has read.</summary>
    public string SamplerStateFile => ManifestFile + ".sampler-state.json";

    /// <summary>A manifest path (relative to the dataset folder, or absolute) as a full path, or null when it lies
    /// outside the dataset folder (../ tricks, absolute paths elsewhere).</summary>
    public string? Resolve(string manifestPath)
    {
        var full = Path.GetFullPath(Path.IsPathRooted(manifestPath) ? manifestPath : Path.Combine(Folder, manifestPath));
        return Contains(full) ? full : null;
    }

    /// <summary>True when <paramref name="fullPath"/> is inside the dataset folder.</summary>
    public bool Contains(string fullPath)
    {
        var folder = Path.TrimEndingDirectorySeparator(Folder) + Path.DirectorySeparatorChar;
        return fullPath.StartsWith(folder, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>A full path as the manifest writes it: relative to the dataset folder with forward slashes.</summary>
    public string Relative(string fullPath) => Path.GetRelativePath(Folder, fullPath).Replace('\\', '/');
}
