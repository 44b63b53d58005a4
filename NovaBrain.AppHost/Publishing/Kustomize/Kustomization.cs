namespace NovaBrain.AppHost.Publishing.Kustomize;

/// <summary>A <c>kustomization.yaml</c>: the fields NovaBrain's base and overlays use.</summary>
public sealed class Kustomization
{
    public const string FileName = "kustomization.yaml";

    public string ApiVersion { get; init; } = "kustomize.config.k8s.io/v1beta1";

    public string Kind { get; init; } = "Kustomization";

    public string? Namespace { get; init; }

    public List<string> Resources { get; init; } = [];

    public List<KustomizeGenerator>? ConfigMapGenerator { get; init; }

    public List<KustomizeGenerator>? SecretGenerator { get; init; }

    public KustomizeGeneratorOptions? GeneratorOptions { get; init; }

    public List<KustomizeImage>? Images { get; init; }

    public List<KustomizePatch>? Patches { get; init; }
}

/// <summary>A ConfigMap or Secret generator; <see cref="Behavior"/> <c>merge</c> or <c>replace</c> changes the base's object of that name.</summary>
public sealed class KustomizeGenerator
{
    public required string Name { get; init; }

    public required string Behavior { get; init; }

    public List<string>? Literals { get; init; }

    public List<string>? Envs { get; init; }

    /// <summary>Files as <c>key=path</c>.</summary>
    public List<string>? Files { get; init; }
}

public sealed class KustomizeGeneratorOptions
{
    /// <summary>
    /// Keeps generated names as they are, so references kustomize cannot see (inside a Job template, say) still hold.
    /// Pods then do not restart by themselves when a generated value changes.
    /// </summary>
    public bool DisableNameSuffixHash { get; init; }
}

/// <summary>Replaces the registry and path (<see cref="NewName"/>) or the tag of every image named <see cref="Name"/>.</summary>
public sealed class KustomizeImage
{
    public required string Name { get; init; }

    public string? NewName { get; init; }

    public string? NewTag { get; init; }
}

/// <summary>A strategic-merge patch file.</summary>
public sealed class KustomizePatch
{
    public required string Path { get; init; }
}
