namespace NovaBrain.AppHost.Publishing;

/// <summary>Published, a PersistentVolumeClaim mounted at <see cref="MountPath"/> in the resource's container.</summary>
public sealed record PersistentStorageAnnotation(string Name, string MountPath, string Size) : IResourceAnnotation;
