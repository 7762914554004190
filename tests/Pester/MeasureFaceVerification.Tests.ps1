BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'MetricsTestData.psm1') -Force
    Initialize-MetricsTypes
    $script:data = @(New-TestDataset -Model dingo, eagle -Noise 1.6, 0.5 -Identities 20 -PerIdentity 5 -NoFace 'dingo:p03/img1.png', 'eagle:p07/img4.png')
    $script:sklearn = Test-PythonModule -Name numpy, sklearn
}

Describe 'Measure-FaceVerification' {
    Context 'two models measured together' {
        BeforeAll {
            $script:out = @($script:data | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 300 -Threshold 0.3 -WarningAction SilentlyContinue)
            $script:results = @($script:out | Where-Object { $_ -is [InsightFaceEval.VerificationResult] })
            $script:comparison = @($script:out | Where-Object { $_ -is [InsightFaceEval.ModelComparison] })
        }

        It 'returns one result per model, then their paired comparison' {
            $script:results.Model | Should -Be 'dingo', 'eagle'
            $script:comparison | Should -HaveCount 1
            $script:out[-1] | Should -BeOfType InsightFaceEval.ModelComparison
        }

        It 'reports FTA and both completed and system-level pair counts' {
            $dingo = $script:results[0]
            $dingo.ImageCount | Should -Be 100
            $dingo.FailedImageCount | Should -Be 1
            $dingo.FailureToAcquireRate | Should -Be 0.01
            $dingo.SystemLevel.GenuinePairs | Should -Be (20 * 10)
            $dingo.Completed.GenuinePairs | Should -Be (20 * 10 - 4)
            $dingo.SystemLevel.FailedGenuinePairs | Should -Be 4
            $dingo.SystemLevel.ImpostorPairs | Should -Be (100 * 99 / 2 - 200)
            $dingo.Completed.ImpostorPairs | Should -Be (99 * 98 / 2 - 196)
        }

        It 'measures both models on the pairs every model completed' {
            foreach ($r in $script:results) {
                $r.CommonCompleted.PairSet | Should -Be 'CommonCompleted'
                $r.CommonCompleted.GenuinePairs | Should -Be (200 - 4 - 4)
                $r.ComparedModels | Should -Be 'dingo', 'eagle'
            }
        }

        It 'never reports an achieved FAR above its target, and says "insufficient" where the data cannot support one' {
            foreach ($t in $script:results.Completed.TarAtFar) {
                if ($t.IsSupported) {
                    $t.AchievedFar | Should -BeLessOrEqual $t.TargetFar
                    $t.FalseAccepts | Should -BeLessOrEqual $t.FalseAcceptBudget
                }
                else {
                    $t.Tar | Should -BeNullOrEmpty
                    $t.LowestSupportableFar | Should -BeGreaterThan $t.TargetFar
                }
            }
            ($script:results[0].Completed.TarAtFar | Where-Object TargetFar -EQ 1e-6).IsSupported | Should -BeFalse
        }

        It 'gives bootstrap intervals around TAR@FAR and Clopper-Pearson intervals at the fixed threshold' {
            $t = $script:results[0].Completed.TarAtFar | Where-Object TargetFar -EQ 1e-2
            $t.TarLower | Should -BeLessOrEqual $t.TarUpper
            $t.TarLower | Should -Not -BeNullOrEmpty
            $at = $script:results[0].Completed.AtThreshold
            $at.Threshold | Should -Be 0.3
            $at.TarLower | Should -BeLessOrEqual $at.Tar
            $at.TarUpper | Should -BeGreaterOrEqual $at.Tar
            $at.TrueAccepts + $at.FalseRejects | Should -Be $script:results[0].Completed.GenuinePairs
        }

        It 'finds the clearly better model, with intervals that exclude zero' {
            $c = $script:comparison[0]
            $c.ReferenceModel | Should -Be 'dingo'
            $c.DifferenceModel | Should -Be 'eagle'
            $c.BetterModel | Should -Be 'eagle'
            $c.RecommendedModel | Should -Be 'eagle'
            $c.Verdict | Should -Match '^eagle is better \(system level'
            $c.Recommendation | Should -Match '^Pick eagle: at FAR '
            $c.Views[0].PairSet | Should -Be 'SystemLevel'
            $c.FailureToAcquire.Metric | Should -Be 'FTA'
            $eer = $c.Differences | Where-Object Metric -EQ 'EER'
            $eer.Upper | Should -BeLessThan 0
            $eer.Difference | Should -Be ($script:results[1].CommonCompleted.Eer - $script:results[0].CommonCompleted.Eer)
            $c.ReferenceFailureToAcquireRate | Should -Be 0.01
        }

        It 'shows one row per model in the default view, system level beside completed-only, and marks the recommended model' {
            $lines = @(($script:results | Out-String -Width 250) -split "`n" | Where-Object { $_.Trim() })
            # A model failed to acquire an image, so the system-level figures stand beside the completed-only ones.
            $lines[0] | Should -Match 'Model\s+Genuine\s+Impostor\s+FTA\s+TAR@FAR\s+Threshold\s+EER\s+AUC\s+SystemTAR\s+SystemEER\s+Verdict'
            @($lines | Where-Object { $_ -match '^(dingo|eagle)\s+\d' }) | Should -HaveCount 2
            $eagle = $script:results[1]
            $sys = $eagle.SystemLevel.TarAtFar | Where-Object { $_.TargetFar -eq $eagle.OperatingFar }
            $row = $lines | Where-Object { $_ -match '^eagle\s+196\s+' }
            $row | Should -Match ([regex]::Escape(('{0:F2}% @ {1}' -f (100 * $sys.Tar), $sys.TargetLabel).Replace(',', '.')))
            $row | Should -Match 'recommended\s*$'
            $lines | Where-Object { $_ -match '^dingo\s' } | Should -Not -Match 'recommended'
        }

        It 'shows the completed-only columns alone when no model failed to acquire' {
            $clean = @($script:data | Where-Object { "$($_.Status)" -eq 'Success' } | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 50 -WarningAction SilentlyContinue)
            $text = ($clean | Where-Object { $_ -is [InsightFaceEval.VerificationResult] } | Out-String -Width 250)
            $text | Should -Match 'AUC\s+Verdict'
            $text | Should -Not -Match 'SystemTAR'
        }

        It 'shows every rate the same way in the table view, ConvertTo-Json and the HTML report' {
            # Objects and JSON hold fractions; every view prints percent with two decimals.
            $eagle = $script:results[1]
            $json = $eagle | ConvertTo-Json -Depth 6 | ConvertFrom-Json
            $json.FailureToAcquireRate | Should -Be 0.01
            $json.Completed.Eer | Should -Be $eagle.Completed.Eer
            $json.Completed.Eer | Should -BeLessThan 1
            $fta = '{0:F2}%' -f (100 * $json.FailureToAcquireRate)
            $eer = '{0:F2}%' -f (100 * $json.Completed.Eer)
            $tar = $json.Completed.TarAtFar | Where-Object { $_.TargetFar -eq $eagle.OperatingFar }
            $tarText = '{0:F2}%' -f (100 * $tar.Tar)
            $table = $eagle | Format-Table | Out-String -Width 250
            $list = $eagle.Completed | Format-List | Out-String -Width 250
            $html = Join-Path $TestDrive 'units.html'
            $script:out | Export-FaceEvaluationReport -Path $html
            $page = Get-Content -LiteralPath $html -Raw -Encoding UTF8
            foreach ($text in $fta, $eer, $tarText) {
                $table | Should -Match ([regex]::Escape($text))
                $page | Should -Match ([regex]::Escape($text))
            }
            ($eagle.Completed | Format-Table | Out-String -Width 250) | Should -Match ([regex]::Escape($eer))
            $list | Should -Match ([regex]::Escape($eer))
            # No view prints a rate as a bare fraction.
            $table | Should -Not -Match ([regex]::Escape(('{0:F4}' -f $eagle.Completed.Eer)))
        }

        It 'prints one compact comparison block after the table for three models, not a list per comparison' {
            $three = @($script:data) + @($script:data | Where-Object Model -EQ eagle | ForEach-Object {
                    New-TestEmbedding -Model falcon -RelativePath $_.RelativePath -Vector $_.Vector -Status $_.Status
                })
            $all = @($three | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 50 -WarningAction SilentlyContinue)
            @($all | Where-Object { $_ -is [InsightFaceEval.ModelComparison] }) | Should -HaveCount 3
            $text = $all | Out-String -Width 200
            $lines = @($text -split "`r?`n")
            # Nothing is printed as a property list.
            $text | Should -Not -Match '(?m)^ReferenceModel\s*:'
            $text | Should -Not -Match '(?m)^Differences\s*:'
            # Two lines per comparison, right after the table.
            $heads = @(for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^\S+ vs \S+: ') { $i } })
            $heads | Should -HaveCount 3
            foreach ($i in $heads) { $lines[$i + 1] | Should -Match '^\s+TAR@FAR=\S+ \(' }
            $heads[-1] - $heads[0] | Should -BeLessOrEqual 8
            $table = @(for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^(dingo|eagle|falcon)\s+\d') { $i } })
            $heads[0] - $table[-1] | Should -BeLessOrEqual 2
        }

        It 'serialises to JSON without NaN or cycles' {
            $json = $script:out | ConvertTo-Json -Depth 8
            $json | Should -Not -Match 'NaN|Infinity'
            ($json | ConvertFrom-Json)[0].Completed.TarAtFar[0].TargetFar | Should -Be 0.1
        }
    }

    It 'says "no clear difference" when two models are the same' {
        $twin = $script:data | Where-Object Model -EQ eagle | ForEach-Object {
            New-TestEmbedding -Model eagle-copy -RelativePath $_.RelativePath -Vector $_.Vector -Status $_.Status
        }
        $c = @($script:data | Where-Object Model -EQ eagle) + @($twin) | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 100 -WarningAction SilentlyContinue |
            Where-Object { $_ -is [InsightFaceEval.ModelComparison] }
        $c.Verdict | Should -Be 'no clear difference'
        $c.BetterModel | Should -BeNullOrEmpty
    }

    It 'gives the same numbers from Compare-FaceEmbedding''s output as from the embeddings, failures to acquire included' {
        # Both models fail on one image each: FTA, system-level metrics, identities and intervals must survive the pipeline.
        $direct = @($script:data | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 100 -Threshold 0.3 -WarningAction SilentlyContinue)
        $viaComparisons = @($script:data | Compare-FaceEmbedding -Protocol AllPairs | Measure-FaceVerification -BootstrapSamples 100 -Threshold 0.3 -WarningAction SilentlyContinue)
        $viaComparisons | Should -HaveCount 3
        $dingo = $viaComparisons[0]
        $dingo.ImageCount | Should -Be 100
        $dingo.FailedImageCount | Should -Be 1
        $dingo.FailureToAcquireRate | Should -Be 0.01
        $dingo.SystemLevel.FailedGenuinePairs | Should -Be 4
        $dingo.Protocol | Should -Be 'AllPairs'
        $dingo.Dimension | Should -Be 32
        $viaComparisons[2].ReferenceFailureToAcquireRate | Should -Be 0.01
        # Impostor score moments are summed per work unit (kernel tiles from embeddings, chunks of the pair list from
        # comparisons), so d', means and standard deviations may differ in the last bits; every other number is identical.
        $strip = {
            param($o)
            $json = $o | Select-Object * -ExcludeProperty MeasuredAt | ConvertTo-Json -Depth 8 -Compress
            [regex]::Replace($json, '"(DPrime|Mean|StandardDeviation)":(-?[0-9.]+(E[-+]?[0-9]+)?)', {
                    param($m) '"{0}":{1}' -f $m.Groups[1].Value, ([double]$m.Groups[2].Value).ToString('G12', [cultureinfo]::InvariantCulture) })
        }
        for ($i = 0; $i -lt 3; $i++) { & $strip $viaComparisons[$i] | Should -BeExactly (& $strip $direct[$i]) }
    }

    It 'shows "n/a", never 0 %, for an FTA it cannot know' {
        $known = $script:data | Where-Object Model -EQ eagle | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 0
        $unknown = [InsightFaceEval.VerificationResult]::new($known.Model, 'Comparisons', 0, 0, 0, $known.IdentityCount, $known.Completed, $known.SystemLevel, $null,
            $null, $known.FarTargets, $null, 10, 0, 1, $null, $null, $null, $known.ModuleVersion, $known.MeasuredAt)
        $unknown.FailureToAcquireRate | Should -BeNullOrEmpty
        $row = @(($unknown | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '^eagle\s' })[0]
        $row | Should -Match '\sn/a\s'
        ($row -split '\s+')[3] | Should -Be 'n/a' -Because 'the FTA column of an unknown FTA'
        (@(($known | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '^eagle\s' })[0]) | Should -Match '1\.00 ?%'
    }

    It 'writes clear errors, not numbers, for unmeasurable models, and still measures the others' {
        $single = 1..4 | ForEach-Object { New-TestEmbedding -Model solo -RelativePath "only/$_.png" -Vector ([float[]](1, $_, 0.5)) }
        $out = @($single) + @($script:data | Where-Object Model -EQ eagle) | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 0 -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out | Where-Object { $_ -is [InsightFaceEval.VerificationResult] }).Model | Should -Be 'eagle'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MeasureFaceVerificationNoImpostorPairs,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be 'solo'
        $errs[0].Exception.Message | Should -Match 'single identity'
        $errs[0].Exception | Should -BeOfType ([InsightFaceEval.Metrics.UnmeasurableException]) -Because 'the record keeps the exception Core raised, for catch blocks by type'
    }

    It 'refuses NaN similarities' {
        $c = @(
            New-TestComparison -Model m -First 'a/1.png' -Second 'a/2.png' -Similarity 0.9 -IsGenuine $true
            New-TestComparison -Model m -First 'a/1.png' -Second 'b/1.png' -Similarity ([double]::NaN) -IsGenuine $false
        )
        $out = $c | Measure-FaceVerification -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MeasureFaceVerificationInvalidSimilarity,*'
        $errs[0].TargetObject | Should -Be $c[1]
        $errs[0].Exception | Should -BeOfType ([System.IO.InvalidDataException])
    }

    It 'refuses a target FAR outside (0, 1) before doing any work' {
        { $script:data | Measure-FaceVerification -Protocol AllPairs -FarTarget 0.1, 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'MeasureFaceVerificationInvalidFarTarget,InsightFaceEval.Commands.MeasureFaceVerificationCommand'
    }

    It 'reports progress under one activity that ends Completed, and stops promptly when asked' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($manifest, $embeddings)
                    Import-Module $manifest
                    $embeddings | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 1000000
                }).AddArgument((Get-TestModuleManifest)).AddArgument(@($script:data))
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($ps.Streams.Progress.Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $ps.Streams.Progress.Count | Should -BeGreaterThan 1
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            @($ps.Streams.Progress.ActivityId | Sort-Object -Unique) | Should -HaveCount 1
        }
        finally { $ps.Dispose() }

        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({ param($m, $e) Import-Module $m; $e | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 3000 }).AddArgument((Get-TestModuleManifest)).AddArgument(@($script:data))
            $results = $ps.Invoke()
            $results.Count | Should -Be 3
            $progress = @($ps.Streams.Progress)
            @($progress.ActivityId | Sort-Object -Unique) | Should -HaveCount 1
            $progress[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }

    It 'matches scikit-learn''s roc_curve and roc_auc_score on random scores with many ties' {
        if (-not $script:sklearn) {
            Set-ItResult -Skipped -Because 'Debian''s python3-numpy and python3-sklearn are not installed (/usr/bin/python3 cannot import them)'
            return
        }

        $rng = [Random]::new(42)
        $rows = [System.Collections.Generic.List[string]]::new()
        $comparisons = for ($i = 0; $i -lt 4000; $i++) {
            $genuine = $i % 5 -eq 0
            $raw = $rng.NextDouble() * 1.2 - 0.45 + $(if ($genuine) { 0.3 } else { 0 })
            $score = [float]([Math]::Round([Math]::Min(1, $raw) * 40) / 40)
            $rows.Add(('{0},{1}' -f ([double]$score).ToString('R', [cultureinfo]::InvariantCulture), [int]$genuine))
            New-TestComparison -Model m -First "i$($i % 50)/$i.png" -Second "j$($i % 7)/$i.png" -Similarity $score -IsGenuine $genuine
        }
        $csv = Join-Path $TestDrive 'scores.csv'
        Set-Content $csv -Value $rows -Encoding UTF8
        $script = @'
import sys, json, numpy as np
from sklearn.metrics import roc_curve, roc_auc_score
d = np.loadtxt(sys.argv[1], delimiter=",")
s, y = d[:, 0], d[:, 1].astype(int)
fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
fnr = 1 - tpr
gap = np.abs(fnr - fpr)[1:]
i = int(np.nonzero(gap == gap.min())[0][-1]) + 1  # thresholds descend: the last tie is the lowest threshold
print(json.dumps({"auc": roc_auc_score(y, s), "fpr": fpr[1:].tolist(), "tpr": tpr[1:].tolist(), "thr": thr[1:].tolist(), "eer": (fpr[i] + fnr[i]) / 2}))
'@
        $py = Join-Path $TestDrive 'ref.py'
        Set-Content $py -Value $script -Encoding UTF8
        $ref = & (Get-TestPython) $py $csv | ConvertFrom-Json
        $r = $comparisons | Measure-FaceVerification -BootstrapSamples 0 -FarTarget 0.3, 0.1, 0.01, 0.001
        $m = $r.Completed
        [Math]::Abs($m.Auc - $ref.auc) | Should -BeLessThan 1e-12
        [Math]::Abs($m.Eer - $ref.eer) | Should -BeLessThan 1e-12

        # Every ROC point we report is sklearn's (FPR, TPR) at the lowest sklearn threshold at or above ours.
        foreach ($p in $m.Roc) {
            $k = -1
            for ($j = 0; $j -lt $ref.thr.Count; $j++) { if ($ref.thr[$j] -ge $p.Threshold) { $k = $j } }
            $far = if ($k -ge 0) { $ref.fpr[$k] } else { 0 }
            $tar = if ($k -ge 0) { $ref.tpr[$k] } else { 0 }
            [Math]::Abs($p.Far - $far) | Should -BeLessThan 1e-12
            [Math]::Abs($p.Tar - $tar) | Should -BeLessThan 1e-12
        }

        # TAR@FAR is the best TPR sklearn's curve reaches without its FPR exceeding the target.
        foreach ($t in $m.TarAtFar) {
            $best = 0.0
            for ($j = 0; $j -lt $ref.thr.Count; $j++) { if ($ref.fpr[$j] -le $t.TargetFar -and $ref.tpr[$j] -gt $best) { $best = $ref.tpr[$j] } }
            [Math]::Abs($t.Tar - $best) | Should -BeLessThan 1e-12
            $t.AchievedFar | Should -BeLessOrEqual $t.TargetFar
        }
    }
}
