namespace NovaBrain.Security;

/// <summary>
/// Endpoint metadata naming the permission an endpoint requires (added by <c>RequirePermission</c>); the
/// authorization policy <see cref="PolicyName"/> enforces it and the OpenAPI document announces it.
/// </summary>
public sealed record PermissionMetadata(string Permission)
{
    public const string PolicyPrefix = "permission:";

    /// <summary>The authorization policy that requires a <c>permission</c> claim with this value.</summary>
    public string PolicyName => PolicyPrefix + Permission;
}
