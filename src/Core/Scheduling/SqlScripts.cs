using System.Text;

namespace PipelineOps.Scheduling;

/// <summary>The DDL scripts embedded in Core (Scheduling/Sql), split into statements.</summary>
internal static class SqlScripts
{
    public static IEnumerable<string> Statements(string name)
    {
        using var stream = typeof(SqlScripts).Assembly.GetManifestResourceStream("PipelineOps.Scheduling." + name)
            ?? throw new InvalidOperationException($"The SQL script {name} is missing from PipelineOps.Core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = string.Join('\n', reader.ReadToEnd().Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        return text.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
    }
}
