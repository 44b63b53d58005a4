using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NovaBrain.Training.Infrastructure;

namespace NovaBrain.Training.Templates;

/// <summary>What became of a new template version: the template, or why there is none.</summary>
public sealed record CreateTemplateResult(CreateTemplateOutcome Outcome, TrainingTemplate? Template = null, Dictionary<string, string[]>? Errors = null);

public enum CreateTemplateOutcome
{
    Created,
    Invalid,
    Reserved,
    NotYours,
}

/// <summary>
/// Every template a job may name: the built-in ones and the versions users stored in trainingdb. Jobs, the templates
/// API and the worker all look templates up here.
/// </summary>
public sealed class TemplateCatalog(TrainingContext context, TimeProvider time)
{
    private const int CreateAttempts = 3;

    /// <summary>The rule a template reference that names no template breaks, for validation errors.</summary>
    public static string UnknownTemplateRule(string? name, int? version) =>
        $"The template is a built-in one ({string.Join(", ", BuiltInTemplates.All.Select(t => t.Name))}) or one stored through {Apis.TemplatesApi.BasePath}/templates, with an optional templateVersion; '{name}'{(version is { } number ? $" version {number}" : "")} is none.";

    public async Task<IReadOnlyList<TrainingTemplate>> ListAsync(CancellationToken cancellationToken)
    {
        var stored = await context.Templates.AsNoTracking().OrderBy(t => t.Name).ThenBy(t => t.Version).ToListAsync(cancellationToken);
        return [.. BuiltInTemplates.All, .. stored.Select(ToTemplate)];
    }

    /// <summary>The template's latest version, or <paramref name="version"/>; null when there is none.</summary>
    public async Task<TrainingTemplate?> FindAsync(string name, int? version, CancellationToken cancellationToken)
    {
        if (BuiltInTemplates.IsReserved(name))
        {
            return BuiltInTemplates.Find(name, version);
        }
        var stored = await context.Templates.AsNoTracking()
            .Where(t => t.Name == name && (version == null || t.Version == version))
            .OrderByDescending(t => t.Version)
            .FirstOrDefaultAsync(cancellationToken);
        return stored is null ? null : ToTemplate(stored);
    }

    /// <summary>Validates the request and stores it as the name's next version; only the name's first author adds versions.</summary>
    public async Task<CreateTemplateResult> CreateAsync(CreateTemplateRequest request, string owner, CancellationToken cancellationToken)
    {
        if (request.Name is { } name && BuiltInTemplates.IsReserved(name))
        {
            return new CreateTemplateResult(CreateTemplateOutcome.Reserved);
        }
        for (var attempt = 1; ; attempt++)
        {
            var latest = request.Name is null ? null : await context.Templates.AsNoTracking()
                .Where(t => t.Name == request.Name)
                .OrderByDescending(t => t.Version)
                .FirstOrDefaultAsync(cancellationToken);
            if (latest is not null && latest.Owner != owner)
            {
                return new CreateTemplateResult(CreateTemplateOutcome.NotYours);
            }
            var (template, errors) = TemplateDefinition.Derive(request, (latest?.Version ?? 0) + 1);
            if (template is null)
            {
                return new CreateTemplateResult(CreateTemplateOutcome.Invalid, Errors: errors);
            }

            context.Templates.Add(new StoredTemplate
            {
                Id = Guid.CreateVersion7(),
                Name = template.Name,
                Version = template.Version,
                BasedOn = template.BasedOn!,
                Description = template.Description,
                Hyperparameters = JsonSerializer.Serialize(template.Hyperparameters, JsonSerializerOptions.Web),
                Owner = owner,
                CreatedAt = time.GetUtcNow(),
            });
            try
            {
                await context.SaveChangesAsync(cancellationToken);
                return new CreateTemplateResult(CreateTemplateOutcome.Created, template);
            }
            catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } && attempt < CreateAttempts)
            {
                // Another request took this version number first: number it again.
                context.ChangeTracker.Clear();
            }
        }
    }

    private static TrainingTemplate ToTemplate(StoredTemplate stored)
    {
        var baseTemplate = BuiltInTemplates.Find(stored.BasedOn, null)!;
        var specs = JsonSerializer.Deserialize<List<HyperparameterSpec>>(stored.Hyperparameters, JsonSerializerOptions.Web)!;
        return new TrainingTemplate(stored.Name, stored.Version, baseTemplate.Architecture, baseTemplate.Task, stored.Description,
            specs.Select(TemplateDefinition.WithTypedDefault).ToList(), stored.BasedOn);
    }
}
