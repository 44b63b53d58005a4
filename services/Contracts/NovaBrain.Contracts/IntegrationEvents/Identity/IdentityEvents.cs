using System.Text.Json.Serialization;
using NovaBrain.EventBus.Abstractions;

namespace NovaBrain.Contracts.IntegrationEvents.Identity;

// The auth service announces every change to who may do what, and every sign-in, for the audit trail.
// Secrets (passwords, keys, client secrets) never travel in these events.

/// <summary>A user signed in: <paramref name="Method"/> is <c>password</c>, <c>authorization_code</c> or <c>external:{provider}</c>.</summary>
public sealed record UserSignedIn(string UserId, string UserName, string Method, string? ClientId) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"user:{UserName}";
    [JsonIgnore] public string? Actor => UserId;
}

/// <summary>A sign-in was refused; <paramref name="UserName"/> is what was typed, which may name nobody.</summary>
public sealed record UserSignInFailed(string UserName, string Reason, string? ClientId) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"user:{UserName}";
    [JsonIgnore] public string? Actor => null;
}

public sealed record UserLockedOut(string UserId, string UserName, DateTimeOffset LockedOutUntil) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"user:{UserName}";
    [JsonIgnore] public string? Actor => null;
}

public sealed record UserCreated(string UserId, string UserName, string? Email, IReadOnlyList<string> Roles, bool IsServiceAccount, string? CreatedBy)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"user:{UserName}";
    [JsonIgnore] public string? Actor => CreatedBy;
}

public sealed record UserEnabledChanged(string UserId, string UserName, bool Enabled, string ChangedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"user:{UserName}";
    [JsonIgnore] public string? Actor => ChangedBy;
}

public sealed record UserPasswordChanged(string UserId, string UserName, string ChangedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"user:{UserName}";
    [JsonIgnore] public string? Actor => ChangedBy;
}

public sealed record UserRolesChanged(string UserId, string UserName, IReadOnlyList<string> Roles, string ChangedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"user:{UserName}";
    [JsonIgnore] public string? Actor => ChangedBy;
}

public sealed record ExternalLoginLinked(string UserId, string UserName, string Provider, string How, string? LinkedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"user:{UserName}";
    [JsonIgnore] public string? Actor => LinkedBy ?? UserId;
}

/// <summary>A role was created or its permissions replaced; <paramref name="Permissions"/> is the new whole set.</summary>
public sealed record RolePermissionsChanged(string RoleName, IReadOnlyList<string> Permissions, bool Created, string ChangedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"role:{RoleName}";
    [JsonIgnore] public string? Actor => ChangedBy;
}

public sealed record RoleDeleted(string RoleName, string DeletedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"role:{RoleName}";
    [JsonIgnore] public string? Actor => DeletedBy;
}

public sealed record ApiKeyCreated(Guid KeyId, string Prefix, string OwnerId, string Name, IReadOnlyList<string> Permissions, DateTimeOffset? ExpiresAt, string CreatedBy)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"api-key:{KeyId}";
    [JsonIgnore] public string? Actor => CreatedBy;
}

public sealed record ApiKeyRevoked(Guid KeyId, string Prefix, string OwnerId, string RevokedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"api-key:{KeyId}";
    [JsonIgnore] public string? Actor => RevokedBy;
}

public sealed record MachineClientCreated(string ClientId, IReadOnlyList<string> Permissions, string CreatedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"client:{ClientId}";
    [JsonIgnore] public string? Actor => CreatedBy;
}

public sealed record MachineClientDeleted(string ClientId, string DeletedBy) : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"client:{ClientId}";
    [JsonIgnore] public string? Actor => DeletedBy;
}
