namespace NovaBrain.AppHost.Publishing;

/// <summary>Published, an <c>emptyDir</c> of at most <see cref="SizeLimit"/> mounted at <see cref="MountPath"/>: it outlives container restarts, not the pod.</summary>
public sealed record ScratchStorageAnnotation(string Name, string MountPath, string SizeLimit) : IResourceAnnotation;
