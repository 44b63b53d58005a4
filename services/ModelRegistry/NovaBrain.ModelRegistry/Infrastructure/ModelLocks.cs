using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Models;

namespace NovaBrain.ModelRegistry.Infrastructure;

/// <summary>Writes that must see a model's versions, stages and aliases as they are, one at a time per model.</summary>
public static class ModelLocks
{
    /// <summary>
    /// Runs <paramref name="work"/> in a transaction holding the model's row (<c>SELECT ... FOR UPDATE</c>), so concurrent
    /// writes to the same model (version numbers, the Production rule, alias moves) follow one another; the model is
    /// null when there is none of that name. What <paramref name="work"/> saves is committed with the transaction.
    /// </summary>
    public static Task<T> WithModelLockedAsync<T>(
        this RegistryContext context, string name, Func<RegisteredModel?, Task<T>> work, CancellationToken cancellationToken)
    {
        var strategy = context.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(async () =>
        {
            context.ChangeTracker.Clear();
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
            var model = await context.RegisteredModels
                .FromSql($"""SELECT * FROM "RegisteredModels" WHERE "Name" = {name} FOR UPDATE""")
                .SingleOrDefaultAsync(cancellationToken);
            var result = await work(model);
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
    }
}
