namespace NovaBrain.AppHost.Publishing;

/// <summary>Published, the resource runs the image of <see cref="Resource"/>: the same project in another role.</summary>
public sealed record SharedImageAnnotation(string Resource) : IResourceAnnotation;
