using System;
using System.Collections.Generic;

namespace InsightFaceEval
{
    /// <summary>
    /// Model names compare as the system compares file names (<see cref="PathStyle.Comparer"/>): each model has a store
    /// folder, so on Windows 'dingo' and 'Dingo' would share one. Two names that differ only in case are refused there.
    /// </summary>
    public static class ModelNames
    {
        /// <summary>
        /// The first pair of names that are different strings but equal under <paramref name="comparer"/>, as a message;
        /// null when there is none. Exact repeats are not conflicts (they name the same model).
        /// </summary>
        public static string CaseConflict(IEnumerable<string> names, StringComparer comparer)
        {
            if (names == null) { return null; }
            var seen = new Dictionary<string, string>(comparer ?? PathStyle.Current.Comparer);
            foreach (var name in names)
            {
                if (name == null) { continue; }
                if (seen.TryGetValue(name, out var earlier))
                {
                    if (!string.Equals(earlier, name, StringComparison.Ordinal)) { return Message(earlier, name); }
                    continue;
                }

                seen[name] = name;
            }

            return null;
        }

        /// <summary>The refusal for two names that differ only in case.</summary>
        public static string Message(string first, string second) =>
            $"The model names '{first}' and '{second}' differ only in case. On Windows model names compare without case " +
            "(each has a store folder), so they would be mixed up; give the models names that differ in more than case.";
    }
}
