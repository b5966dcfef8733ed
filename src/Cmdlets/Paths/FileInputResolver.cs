using System.Management.Automation;

namespace PipelineOps.Paths;

/// <summary>
/// Turns -Path (wildcards) and -LiteralPath values into file-system paths through the session's provider,
/// so relative paths, PSDrives and provider-qualified paths work as in any file cmdlet. A path that does not
/// exist, or is not on the file system, becomes a non-terminating error naming it; the batch goes on.
/// </summary>
internal sealed class FileInputResolver
{
    private readonly PSCmdlet _cmdlet;

    public FileInputResolver(PSCmdlet cmdlet) => _cmdlet = cmdlet;

    public IEnumerable<string> Resolve(IEnumerable<string> paths, bool literal)
    {
        foreach (var path in paths)
        {
            foreach (var resolved in literal ? ResolveLiteral(path) : ResolveWildcard(path))
            {
                yield return resolved;
            }
        }
    }

    private IEnumerable<string> ResolveWildcard(string path)
    {
        IReadOnlyList<string> resolved;
        try
        {
            var found = _cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
            if (!IsFileSystem(provider, path))
            {
                return [];
            }

            resolved = found;
        }
        catch (ItemNotFoundException e)
        {
            WritePathNotFound(path, e);
            return [];
        }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or ArgumentException)
        {
            WritePathNotFound(path, e);
            return [];
        }

        return resolved;
    }

    private IEnumerable<string> ResolveLiteral(string path)
    {
        string resolved;
        try
        {
            resolved = _cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (!IsFileSystem(provider, path))
            {
                return [];
            }
        }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or ArgumentException or NotSupportedException)
        {
            WritePathNotFound(path, e);
            return [];
        }

        if (!File.Exists(resolved) && !Directory.Exists(resolved))
        {
            WritePathNotFound(path, new ItemNotFoundException($"Cannot find path '{resolved}' because it does not exist."));
            return [];
        }

        return [resolved];
    }

    private bool IsFileSystem(ProviderInfo provider, string path)
    {
        if (string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        _cmdlet.WriteError(new ErrorRecord(
            new ArgumentException($"'{path}' is on the {provider.Name} provider; only file-system paths are supported."),
            "NotFileSystemPath", ErrorCategory.InvalidArgument, path));
        return false;
    }

    private void WritePathNotFound(string path, Exception cause)
    {
        var message = cause is ItemNotFoundException ? cause.Message : $"Cannot find path '{path}': {cause.Message}";
        _cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException(message, cause), "PathNotFound",
            ErrorCategory.ObjectNotFound, path));
    }
}
