using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace NovaBrain.Security;

/// <summary>Declares the two ways to authenticate: a bearer JWT and an API key header.</summary>
public sealed class SecuritySchemesDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[NovaBrainAuthenticationSchemes.Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from the auth service (/connect/token).",
        };
        document.Components.SecuritySchemes[NovaBrainAuthenticationSchemes.ApiKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key, in X-Api-Key or as 'Authorization: ApiKey <key>'.",
        };
        return Task.CompletedTask;
    }
}

/// <summary>
/// Marks each operation with <c>x-novabrain-permission</c>: the permission it requires (several, space-separated,
/// when a group and its endpoint each require one), <c>authenticated</c> or <c>anonymous</c>; operations that need a
/// caller also list both security schemes.
/// </summary>
public sealed class PermissionOperationTransformer : IOpenApiOperationTransformer
{
    public const string ExtensionName = "x-novabrain-permission";
    public const string Authenticated = "authenticated";
    public const string Anonymous = "anonymous";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var permissions = metadata.OfType<PermissionMetadata>().Select(required => required.Permission).Distinct().ToList();
        var requirement = anonymous ? Anonymous : permissions.Count > 0 ? string.Join(' ', permissions) : Authenticated;

        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions[ExtensionName] = new JsonNodeExtension(JsonValue.Create(requirement));

        if (!anonymous)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(NovaBrainAuthenticationSchemes.Bearer, context.Document)] = [],
            });
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(NovaBrainAuthenticationSchemes.ApiKey, context.Document)] = [],
            });
        }
        return Task.CompletedTask;
    }
}
