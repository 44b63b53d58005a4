using System.Text.RegularExpressions;
using NovaBrain.ModelServing.Batching;
using NovaBrain.ModelServing.Engines;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>What a deployment serves and how: every setting resolved, defaults filled in.</summary>
/// <param name="Name">The deployment's name, which is the model name of the inference protocol.</param>
/// <param name="Model">The registry reference it serves (<c>models:/name/3</c>, <c>models:/name@alias</c>, <c>models:/name/Stage</c>).</param>
/// <param name="Instances">Engine instances (sessions) running the model side by side.</param>
/// <param name="SamplingRate">The share of requests published for drift monitoring; null for the service's configured rate.</param>
public sealed record DeploymentSpec(string Name, string Model, EngineSettings Engine, int Instances, BatchingSettings Batching, double? SamplingRate = null);

public static partial class ModelReferences
{
    /// <summary>Whether <paramref name="reference"/> is written as the registry expects; the registry decides whether it exists.</summary>
    public static bool IsWellFormed(string? reference) => reference is not null && Pattern().IsMatch(reference);

    // The registry's grammar: names as it allows them, then a version or stage, or an alias.
    [GeneratedRegex(@"^models:/[A-Za-z0-9][A-Za-z0-9._-]{0,255}(/[A-Za-z0-9]+|@[A-Za-z][A-Za-z0-9_-]{0,63})$")]
    private static partial Regex Pattern();
}

public static partial class DeploymentNames
{
    /// <summary>Names fit in a URL path segment and a protocol model name: letters, digits, '.', '_' and '-', at most 128.</summary>
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex Pattern();
}
