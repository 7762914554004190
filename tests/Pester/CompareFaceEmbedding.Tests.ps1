BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'MetricsTestData.psm1') -Force
    Initialize-MetricsTypes

    function Get-Cosine([float[]] $a, [float[]] $b) {
        $dot = 0.0; $na = 0.0; $nb = 0.0
        for ($i = 0; $i -lt $a.Count; $i++) { $dot += $a[$i] * $b[$i]; $na += $a[$i] * $a[$i]; $nb += $b[$i] * $b[$i] }
        $dot / [Math]::Sqrt($na * $nb)
    }

    $script:data = @(New-TestDataset -Model dingo, eagle -Noise 0.9, 0.4 -Identities 5 -PerIdentity 3 -NoFace 'dingo:p01/img2.png')
    $script:dingo = @($script:data | Where-Object Model -EQ dingo)
    $script:eagle = @($script:data | Where-Object Model -EQ eagle)
}

Describe 'Compare-FaceEmbedding with reference and difference embeddings' {
    It 'returns the true cosine, the genuine flag and an inclusive match decision' {
        $a = $script:dingo[0]; $b = $script:dingo[1]; $c = $script:dingo[3]
        $expected = Get-Cosine $a.Vector $b.Vector
        $result = Compare-FaceEmbedding $a $b -Threshold ([Math]::Round($expected, 3))
        $result | Should -HaveCount 1
        $result.Similarity | Should -BeGreaterThan ($expected - 1e-5)
        $result.Similarity | Should -BeLessThan ($expected + 1e-5)
        $result.IsGenuine | Should -BeTrue
        $result.IsMatch | Should -Be ($result.Similarity -ge [Math]::Round($expected, 3))
        (Compare-FaceEmbedding $a $c).IsGenuine | Should -BeFalse

        # A threshold equal to the similarity accepts: ties accept.
        (Compare-FaceEmbedding $a $b -Threshold $result.Similarity).IsMatch | Should -BeTrue
    }

    It 'scores a scaled vector exactly like the unit vector (true cosine, not a raw dot product)' {
        $a = $script:dingo[0]
        $scaled = New-TestEmbedding -Model dingo -RelativePath 'p00/scaled.png' -Vector ([float[]]($a.Vector | ForEach-Object { $_ * 7 }))
        (Compare-FaceEmbedding $a $scaled).Similarity | Should -BeGreaterThan 0.99999
    }

    It 'compares each difference with every reference of the same model from the pipeline' {
        $results = $script:dingo[3..5] | Compare-FaceEmbedding -ReferenceEmbedding $script:dingo[0], $script:eagle[0]
        $results | Should -HaveCount 3
        $results.Model | Sort-Object -Unique | Should -Be 'dingo'
    }

    It 'never compares different models: a non-terminating error names both, and the pipeline goes on' {
        $results = Compare-FaceEmbedding -ReferenceEmbedding $script:dingo[0] -DifferenceEmbedding $script:eagle[1], $script:dingo[1] -ErrorVariable errs -ErrorAction SilentlyContinue
        $results | Should -HaveCount 1
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'CompareFaceEmbeddingModelMismatch,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].TargetObject | Should -Be $script:eagle[1]
        $errs[0].Exception.Message | Should -Match "'eagle'.*'dingo'"
    }

    It 'never compares embeddings of different lengths' {
        $short = New-TestEmbedding -Model dingo -RelativePath 'p00/short.png' -Vector ([float[]](1, 2, 3))
        $null = Compare-FaceEmbedding $script:dingo[0] $short -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'CompareFaceEmbeddingDimensionMismatch,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].Exception.Message | Should -Match '32 values.*3'
    }

    It 'scores a pair with a failed image -1 and marks it FailedToAcquire' {
        $failed = $script:dingo | Where-Object Status -EQ NoFace
        $result = Compare-FaceEmbedding $script:dingo[0] $failed -Threshold -1
        $result.Status | Should -Be 'FailedToAcquire'
        $result.Similarity | Should -Be -1
        $result.IsMatch | Should -BeFalse

        # Which side failed survives into the object and its view.
        $result.ReferenceStatus | Should -Be 'Success'
        $result.DifferenceStatus | Should -Be 'NoFace'
        ($result | Out-String) | Should -Match 'no face: difference'
        $reverse = Compare-FaceEmbedding $failed $script:dingo[0]
        $reverse.ReferenceStatus | Should -Be 'NoFace'
        $reverse.DifferenceStatus | Should -Be 'Success'
        "$reverse" | Should -Match 'no face: reference'
        $both = Compare-FaceEmbedding $failed $failed
        ($both | Out-String) | Should -Match 'no face: both'
    }
}

Describe 'Compare-FaceEmbedding with a protocol' {
    It 'forms every pair within each model for AllPairs' {
        $results = $script:data | Compare-FaceEmbedding -Protocol AllPairs
        @($results | Where-Object Model -EQ dingo) | Should -HaveCount (15 * 14 / 2)
        @($results | Where-Object Model -EQ eagle) | Should -HaveCount (15 * 14 / 2)
        @($results | Where-Object { $_.Model -eq 'dingo' -and $_.IsGenuine }) | Should -HaveCount (5 * 3)
        @($results | Where-Object Status -EQ FailedToAcquire) | Should -HaveCount 14
        # p01/img2 sorts after 5 images and before 9: it is the reference in 9 pairs and the difference in 5.
        @($results | Where-Object ReferenceStatus -EQ NoFace) | Should -HaveCount 9
        @($results | Where-Object DifferenceStatus -EQ NoFace) | Should -HaveCount 5
        $results.Protocol | Sort-Object -Unique | Should -Be 'AllPairs'
        $results.Dimension | Sort-Object -Unique | Should -Be 32
    }

    It 'pairs each probe with each gallery image for GalleryProbe' {
        $results = $script:eagle | Compare-FaceEmbedding -Protocol GalleryProbe
        $results | Should -HaveCount (10 * 5)
        @($results | Where-Object IsGenuine) | Should -HaveCount 10
        $results.DifferenceRelativePath | Sort-Object -Unique | Should -Be ('p00/img0.png', 'p01/img0.png', 'p02/img0.png', 'p03/img0.png', 'p04/img0.png')
    }

    It 'reads a CSV pair list, matches relative paths, and reports images it cannot find' {
        $csv = Join-Path $TestDrive 'pairs.csv'
        Set-Content $csv -Value 'image1_path,image2_path,label', 'p00/img0.png,p00/img1.png,1', '.\p00\img0.png,p01/img0.png,0', 'p00/img0.png,p09/img0.png,0' -Encoding UTF8
        $results = $script:eagle | Compare-FaceEmbedding -PairList $csv -ErrorVariable errs -ErrorAction SilentlyContinue
        $results | Should -HaveCount 2
        $results[0].IsGenuine | Should -BeTrue
        $results[1].IsGenuine | Should -BeFalse
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'CompareFaceEmbeddingPairImageNotFound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be 'p09/img0.png'
        $errs[0].Exception | Should -BeOfType ([System.Collections.Generic.KeyNotFoundException])
    }

    It 'stops with a clear error when the pair list does not exist or cannot be read' {
        { $script:eagle | Compare-FaceEmbedding -PairList (Join-Path $TestDrive 'missing.csv') -ErrorAction Stop } |
            Should -Throw -ErrorId 'CompareFaceEmbeddingFileNotFound,InsightFaceEval.Commands.CompareFaceEmbeddingCommand'
        $bad = Join-Path $TestDrive 'bad.csv'
        Set-Content $bad -Value 'a.png,b.png,2' -Encoding UTF8
        { $script:eagle | Compare-FaceEmbedding -PairList $bad -ErrorAction Stop } |
            Should -Throw -ErrorId 'CompareFaceEmbeddingInvalidPairList,InsightFaceEval.Commands.CompareFaceEmbeddingCommand'
    }

    It 'shows comparisons as a table with the similarity' {
        $text = Compare-FaceEmbedding $script:dingo[0] $script:dingo[1] | Out-String
        $text | Should -Match 'Model\s+Similarity\s+Genuine'
        $text | Should -Match 'dingo\s+-?\d\.\d{4}\s+True'
    }
}
