namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>An image reference split the way Docker reads it: <c>[registry/]repository:tag</c>.</summary>
public sealed record ImageReference(string? Registry, string Repository, string Tag)
{
    /// <summary>The reference without its tag, as kustomize's <c>images</c> entries name an image.</summary>
    public string Name => Registry is null ? Repository : $"{Registry}/{Repository}";

    public override string ToString() => $"{Name}:{Tag}";

    /// <summary>Parses a tagged reference; a first segment with a dot, a colon or <c>localhost</c> is a registry.</summary>
    public static ImageReference Parse(string reference)
    {
        var tagAt = reference.LastIndexOf(':');
        if (tagAt < 0 || tagAt < reference.LastIndexOf('/'))
        {
            throw new KubernetesPublishingException($"The image '{reference}' has no tag.");
        }

        var name = reference[..tagAt];
        var slash = name.IndexOf('/');
        var first = slash < 0 ? null : name[..slash];
        return first is not null && (first.Contains('.') || first.Contains(':') || first == "localhost")
            ? new ImageReference(first, name[(slash + 1)..], reference[(tagAt + 1)..])
            : new ImageReference(null, name, reference[(tagAt + 1)..]);
    }
}
