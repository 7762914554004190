using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Metrics.Sharding
{
    /// <summary>
    /// Checks that a set of shard states is exactly one complete run (1..N of one N, one data set, one settings, one
    /// module format) and orders them by shard. A missing, duplicated or foreign shard is a terminating
    /// <see cref="Problem"/> that names the file or the shard number.
    /// </summary>
    public static class ShardMerge
    {
        /// <summary>Reads every path; the states in shard order, or null with the problems that stop the merge.</summary>
        public static List<ShardState> Load(IReadOnlyList<string> paths, out List<Problem> problems)
        {
            problems = new List<Problem>();
            var states = new List<ShardState>();
            foreach (var path in paths)
            {
                try
                {
                    states.Add(ShardStateFile.Read(path));
                }
                catch (ShardStateFormatException ex)
                {
                    problems.Add(new Problem(ex.Problem, ProblemCategory.InvalidData, new InvalidDataException(ex.Message, ex), path, true));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    problems.Add(new Problem("ShardStateUnreadable", ProblemCategory.ReadError, ex, path, true));
                }
            }

            if (problems.Count > 0) { return null; }
            return Check(states, out problems);
        }

        /// <summary>The states in shard order when they form one complete run; else null and the problems.</summary>
        public static List<ShardState> Check(IReadOnlyList<ShardState> states, out List<Problem> problems)
        {
            problems = new List<Problem>();
            if (states.Count == 0)
            {
                problems.Add(new Problem("ShardStateMissing", ProblemCategory.ObjectNotFound, new InvalidOperationException("No shard state was given: there is nothing to merge."), null, true));
                return null;
            }

            var first = states[0];
            foreach (var s in states.Skip(1))
            {
                string why = null;
                if (s.Count != first.Count)
                {
                    why = $"it is shard {s.Index} of {s.Count}, while {first.Name} is of a run in {first.Count} shards";
                }
                else if (!s.DataFingerprint.SequenceEqual(first.DataFingerprint))
                {
                    var models = string.Join(", ", s.Models.Select(m => m.Model));
                    var firstModels = string.Join(", ", first.Models.Select(m => m.Model));
                    why = models != firstModels
                        ? $"it measures model(s) {models}, {first.Name} measures {firstModels}"
                        : $"it was made from other data than {first.Name} (other images, identities, embeddings or pairs)";
                }
                else if (!s.SettingsFingerprint.SequenceEqual(first.SettingsFingerprint))
                {
                    why = $"it was made with other settings than {first.Name} (FAR targets, threshold, folds, bootstrap samples or seed, hardest-pair count)";
                }

                if (why != null)
                {
                    problems.Add(new Problem("ShardStateForeign", ProblemCategory.InvalidData,
                        new InvalidDataException($"{s.Name} does not belong with the other shard states: {why}."), s.SourcePath ?? (object)s.Index, true));
                }
            }

            if (problems.Count > 0) { return null; }
            foreach (var group in states.GroupBy(s => s.Index).Where(g => g.Count() > 1))
            {
                problems.Add(new Problem("ShardStateDuplicate", ProblemCategory.InvalidArgument,
                    new ArgumentException($"Shard {group.Key}/{first.Count} is given {group.Count()} times ({string.Join(", ", group.Select(s => s.Name))}); each shard counts once."), group.Last().SourcePath ?? (object)group.Key, true));
            }

            var present = new HashSet<int>(states.Select(s => s.Index));
            var missing = Enumerable.Range(1, first.Count).Where(k => !present.Contains(k)).ToList();
            if (missing.Count > 0)
            {
                var names = string.Join(", ", missing.Take(20).Select(k => $"{k}/{first.Count}")) + (missing.Count > 20 ? $" and {missing.Count - 20} more" : string.Empty);
                problems.Add(new Problem("ShardStateMissing", ProblemCategory.ObjectNotFound,
                    new FileNotFoundException($"The shard states are incomplete: shard {names} {(missing.Count == 1 ? "is" : "are")} missing, so {(missing.Count == 1 ? "its" : "their")} pairs would not be counted."), missing[0], true));
            }

            return problems.Count > 0 ? null : states.OrderBy(s => s.Index).ToList();
        }
    }
}
