namespace NovaBrain.Auth.Apis;

// Replaced by ServiceDefaults' RequirePermission at merge.
internal static class PendingPermissionExtensions
{
    public static TBuilder RequirePermission<TBuilder>(this TBuilder b, string p) where TBuilder : IEndpointConventionBuilder => b.RequireAuthorization(p);
}
