namespace NovaBrain.AppHost.Publishing;

/// <summary>Published, the resource is reachable from outside its namespace (the ingress routes to it); nothing else is.</summary>
public sealed class PublicEntryPointAnnotation : IResourceAnnotation;
