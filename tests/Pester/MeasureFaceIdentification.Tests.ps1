BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'MetricsTestData.psm1') -Force
    Initialize-MetricsTypes

    function At([double] $degrees) { [float[]]([Math]::Cos($degrees * [Math]::PI / 180), [Math]::Sin($degrees * [Math]::PI / 180)) }

    # Gallery: alice at 0 degrees, bob at 90, carol at 180; cosines are easy to check by hand.
    $script:folders = @(
        New-TestEmbedding -Model m -RelativePath 'gallery/alice/a.png' -Vector (At 0)
        New-TestEmbedding -Model m -RelativePath 'gallery/bob/b.png' -Vector (At 90)
        New-TestEmbedding -Model m -RelativePath 'gallery/carol/c.png' -Vector (At 180)
        New-TestEmbedding -Model m -RelativePath 'probe/alice/1.png' -Vector (At 10)      # rank 1
        New-TestEmbedding -Model m -RelativePath 'probe/alice/2.png' -Vector (At 60)      # bob is nearer: rank 2
        New-TestEmbedding -Model m -RelativePath 'probe/bob/1.png' -Vector (At 100)       # rank 1
        New-TestEmbedding -Model m -RelativePath 'probe/carol/1.png' -Status NoFace
        New-TestEmbedding -Model m -RelativePath 'unknown/x.png' -Vector (At 45)          # top-1 0.707
        New-TestEmbedding -Model m -RelativePath 'unknown/y.png' -Vector (At 135)         # top-1 0.707
        New-TestEmbedding -Model m -RelativePath 'unknown/z.png' -Vector (At -80)         # top-1 0.174
        New-TestEmbedding -Model m -RelativePath 'unknown/w.png' -Vector (At 160)         # top-1 0.940
    )
}

Describe 'Measure-FaceIdentification' {
    It 'ranks mated probes, counts failures as misses at system level, and reports open-set TPIR@FPIR' {
        $r = $script:folders | Measure-FaceIdentification -FpirTarget 0.25, 0.1
        $r.Layout | Should -Be 'Folders'
        $r.GalleryIdentities | Should -Be 3
        $r.FailureToAcquireRate | Should -Be (1 / 11)
        $r.Completed.MatedProbes | Should -Be 3
        $r.Completed.Rank1 | Should -Be (2 / 3)
        $r.Completed.Cmc.IdentificationRate | Should -Be @((2 / 3), 1, 1)
        $r.SystemLevel.MatedProbes | Should -Be 4
        $r.SystemLevel.Rank1 | Should -Be 0.5

        # FPIR 0.25 of 4 non-mated probes: one false positive allowed, so the threshold is just above the
        # second-highest non-mated top-1 score (0.707); alice/1 (0.985) and bob/1 (0.985) are identified above it.
        $t = $r.Completed.TpirAtFpir[0]
        $t.IsSupported | Should -BeTrue
        $t.FalsePositiveBudget | Should -Be 1
        $t.AchievedFpir | Should -Be 0.25
        $t.Threshold | Should -BeGreaterThan 0.7071
        $t.Threshold | Should -BeLessThan 0.7072
        $t.Tpir | Should -Be (2 / 3)
        $r.Completed.TpirAtFpir[1].IsSupported | Should -BeFalse
        $r.Completed.TpirAtFpir[1].LowestSupportableFpir | Should -Be 0.25
    }

    It 'splits plain identity folders automatically and measures every model' {
        $data = New-TestDataset -Model dingo, eagle -Noise 1.4, 0.3 -Identities 15 -PerIdentity 4
        $results = $data | Measure-FaceIdentification
        $results.Model | Should -Be 'dingo', 'eagle'
        $results[0].Layout | Should -Be 'AutoSplit'
        $results[0].GalleryTemplates | Should -Be 15
        $results[0].Completed.MatedProbes | Should -Be 45
        $results[1].Completed.Rank1 | Should -BeGreaterOrEqual $results[0].Completed.Rank1
        $results[0].Completed.TpirAtFpir | Should -BeNullOrEmpty
        $text = $results | Out-String -Width 200
        $text | Should -Match 'Model\s+Layout\s+Identities\s+Mated\s+NonMated\s+FTA\s+Rank-1\s+Rank-5'
        $text | Should -Match 'eagle\s+AutoSplit\s+15\s+45'
    }

    It 'writes an error for a model with no gallery and goes on with the others' {
        $probesOnly = New-TestEmbedding -Model lonely -RelativePath 'gallery/zed/z.png' -Status NoFace
        $out = @($probesOnly) + @($script:folders) | Measure-FaceIdentification -ErrorVariable errs -ErrorAction SilentlyContinue
        $out.Model | Should -Be 'm'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MeasureFaceIdentificationNoGallery,*'
        $errs[0].TargetObject | Should -Be 'lonely'
        $errs[0].Exception | Should -BeOfType ([InsightFaceEval.Metrics.UnmeasurableException])
    }

    It 'refuses one identity (a flat folder) instead of reporting Rank-1 100%, and says where the identity came from' {
        $flat = 1..5 | ForEach-Object { New-TestEmbedding -Model flat -RelativePath "photos/img$_.png" -Vector (At ($_ * 30)) }
        $out = @($flat) + @($script:folders) | Measure-FaceIdentification -ErrorVariable errs -ErrorAction SilentlyContinue
        $out.Model | Should -Be 'm'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MeasureFaceIdentificationSingleIdentity,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be 'flat'
        $errs[0].Exception.Message | Should -Match "Rank-1 would read 100%"
        $errs[0].Exception.Message | Should -Match "All 5 images have the identity 'photos': the name of the folder they are in"
        $errs[0].Exception.Message | Should -Match '-IdentityMap'
    }

    It 'refuses a gallery without mated probes' {
        $open = @(
            New-TestEmbedding -Model open -RelativePath 'gallery/alice/a.png' -Vector (At 0)
            New-TestEmbedding -Model open -RelativePath 'gallery/bob/b.png' -Vector (At 90)
            New-TestEmbedding -Model open -RelativePath 'unknown/x.png' -Vector (At 45)
        )
        $out = $open | Measure-FaceIdentification -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MeasureFaceIdentificationNoMatedProbes,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }
}
