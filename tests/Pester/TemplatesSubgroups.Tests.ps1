# Templates (-TemplateMap) and subgroups (-Metadata -GroupBy) through Measure-FaceVerification, on a store extracted
# from the local endpoint; the help and docs examples run exactly as printed, from a folder that holds what they name.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportTestData.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WindowsPowerShellSyntax.psm1') -Force


    function Get-DocsPageCode([int] $Index) {
        $blocks = @(Get-MarkdownPowerShellBlock -Path (Join-Path (Get-TestRepositoryRoot) 'docs/templates-and-subgroups.md'))
        $blocks[$Index].Code
    }

    function Invoke-Example([string] $Code) {
        # Runs the code in the work folder and returns the variables it set.
        Push-Location -LiteralPath $script:work
        try { . ([scriptblock]::Create($Code)) | Out-Null; $r } finally { Pop-Location }
    }

    # 12 images of three people (id000: 0,3,6,9; id001: 1,4,7,10; id002: 2,5,8,11); 00000 and 00001 have no face.
    $script:work = Join-Path $TestDrive 'work'
    $faces = Join-Path $script:work 'faces'
    $null = New-TestImageFiles -Path $faces -Count 12 -Identities 3 -NoFaceCount 2
    $endpoint = Start-TestEndpoint
    try {
        $null = Get-ChildItem -LiteralPath $faces -Recurse -File |
            Get-FaceEmbedding -Model eagle -ServerUrl $endpoint.Url -OutputDirectory (Join-Path $script:work 'store') -DatasetRoot $faces -ErrorAction SilentlyContinue
    }
    finally { $endpoint | Stop-TestEndpoint }

    # IJB layout: bare .jpg names for the .png crops. Template 1 has two frames of one video (00000 failed); 7 is 00001 alone, so it failed.
    $ijb = Join-Path $script:work 'ijb'
    $null = New-Item -ItemType Directory -Path $ijb -Force
    @('00000.jpg 1 100', '00003.jpg 1 100', '00006.jpg 2 101', '00009.jpg 2 102', '00001.jpg 3 103', '00004.jpg 3 104',
      '00007.jpg 4 105', '00010.jpg 4 105', '00002.jpg 5 106', '00005.jpg 6 107', '00008.jpg 6 108', '00011.jpg 6 108', '00001.jpg 7 109') |
        Set-Content -LiteralPath (Join-Path $ijb 'face_tid_mid.txt') -Encoding UTF8
    $pairs = @('1 2 1', '3 4 1', '5 6 1', '7 3 1', '7 1 0')
    foreach ($a in 1..5) { foreach ($b in ($a + 1)..6) { if ([Math]::Ceiling($a / 2) -ne [Math]::Ceiling($b / 2)) { $pairs += "$a $b 0" } } }
    $pairs | Set-Content -LiteralPath (Join-Path $ijb 'template_pair_label.txt') -Encoding UTF8
    'identity,sex', 'id000,F', 'id001,M', 'id002,F' | Set-Content -LiteralPath (Join-Path $script:work 'people.csv') -Encoding UTF8
    $script:embeddings = @(Import-FaceEmbedding (Join-Path $script:work 'store') -Model eagle)
}

Describe 'Measure-FaceVerification -TemplateMap' {
    It 'Help example "Set-to-set verification on IJB-style templates": template pairs, a failed template, media averaged first' {
        $code = Get-HelpExampleCode 'Measure-FaceVerification' 'Set-to-set verification on IJB-style templates'
        ((Get-DocsPageCode 0) -replace '\s+', ' ').Trim() | Should -Be (($code -replace '\s+', ' ').Trim())
        $r = Invoke-Example $code
        $r.ImageCount | Should -Be 7
        $r.FailedImageCount | Should -Be 1
        $r.Completed.GenuinePairs | Should -Be 3
        $r.Completed.ImpostorPairs | Should -Be 12
        $r.SystemLevel.GenuinePairs | Should -Be 4
        $r.SystemLevel.ImpostorPairs | Should -Be 13

        # The score of template 1 vs 2, rebuilt here from the images: unit features, averaged per media, summed, normalised.
        $byName = @{}
        foreach ($e in $script:embeddings) { $byName[[IO.Path]::GetFileNameWithoutExtension($e.RelativePath)] = $e }
        function Get-TemplateFeature([string[][]] $Media) {
            $sum = [double[]]::new($byName['00003'].Dimension)
            foreach ($frames in $Media) {
                $usable = @($frames | Where-Object { $byName[$_].Status -eq 'Success' })
                foreach ($name in $usable) {
                    $v = $byName[$name].Vector
                    $norm = [Math]::Sqrt((($v | ForEach-Object { [double]$_ * $_ }) | Measure-Object -Sum).Sum)
                    for ($d = 0; $d -lt $v.Length; $d++) { $sum[$d] += $v[$d] / $norm / $usable.Count }
                }
            }
            $norm = [Math]::Sqrt((($sum | ForEach-Object { $_ * $_ }) | Measure-Object -Sum).Sum)
            , ($sum | ForEach-Object { $_ / $norm })
        }
        $t1 = Get-TemplateFeature @(, @('00000', '00003'))
        $t2 = Get-TemplateFeature @(@('00006'), @('00009'))
        $cosine = 0.0
        for ($d = 0; $d -lt $t1.Count; $d++) { $cosine += $t1[$d] * $t2[$d] }
        $pair = @($r.HardestGenuinePairs | Where-Object { @($_.ReferenceRelativePath, $_.DifferenceRelativePath) -contains '1' -and @($_.ReferenceRelativePath, $_.DifferenceRelativePath) -contains '2' })
        $pair.Count | Should -Be 1
        $pair[0].Similarity | Should -BeGreaterThan ($cosine - 1e-5)
        $pair[0].Similarity | Should -BeLessThan ($cosine + 1e-5)
    }

    It '-Protocol AllPairs pairs every two templates by identity; -TemplateAggregation Mean weighs every image alike' {
        $map = Join-Path $script:work 'ijb/face_tid_mid.txt'
        $media = $script:embeddings | Measure-FaceVerification -Protocol AllPairs -TemplateMap $map -BootstrapSamples 0
        $mean = $script:embeddings | Measure-FaceVerification -Protocol AllPairs -TemplateMap $map -TemplateAggregation Mean -BootstrapSamples 0
        $media.ImageCount | Should -Be 7
        # Templates 1, 2 (id000); 3, 4, 7 (id001); 5, 6 (id002): 1 + 3 + 1 genuine pairs of 21, 2 of them with the failed 7.
        $media.SystemLevel.GenuinePairs | Should -Be 5
        $media.Completed.GenuinePairs | Should -Be 3
        $media.Completed.ImpostorPairs | Should -Be 12
        # Template 4 is two frames of one media and 6 has a media of two frames: only the media average differs from the mean.
        $media.Completed.Genuine.Mean | Should -Not -Be $mean.Completed.Genuine.Mean
    }

    It 'Refuses GalleryProbe, and reports a template of two people' {
        $map = Join-Path $script:work 'ijb/face_tid_mid.txt'
        { $script:embeddings | Measure-FaceVerification -Protocol GalleryProbe -TemplateMap $map -ErrorAction Stop } |
            Should -Throw -ErrorId 'MeasureFaceVerificationTemplatesNeedAllPairsOrPairList,InsightFaceEval.Commands.MeasureFaceVerificationCommand'
        $mixed = Join-Path $TestDrive 'mixed.csv'
        'path,template', 'id000/00003.png,a', 'id001/00004.png,a', 'id000/00006.png,b', 'id002/00002.png,c', 'id002/00005.png,d' |
            Set-Content -LiteralPath $mixed -Encoding UTF8
        $r = $script:embeddings | Measure-FaceVerification -Protocol AllPairs -TemplateMap $mixed -BootstrapSamples 0 -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'MeasureFaceVerificationTemplateIdentityConflict,InsightFaceEval.Commands.MeasureFaceVerificationCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].TargetObject | Should -Be 'a'
        $r.ImageCount | Should -Be 3
    }
}

Describe 'Measure-FaceVerification -Metadata -GroupBy' {
    It 'Help example "Subgroup differentials": FNMR, the FMR matrix and own thresholds agree with Compare-FaceEmbedding''s scores' {
        $code = Get-HelpExampleCode 'Measure-FaceVerification' 'Subgroup differentials'
        ((Get-DocsPageCode 1) -replace '\s+', ' ').Trim() | Should -Be (($code -replace '\s+', ' ').Trim())
        $r = Invoke-Example $code
        $s = @($r.Subgroups)
        $s.Count | Should -Be 1
        $s[0].GroupBy | Should -Be 'sex'
        $s[0].TargetFar | Should -Be 0.1
        @($s[0].Groups | ForEach-Object Group) | Should -Be @('F', 'M')
        $s[0].Threshold | Should -Be ($r.Completed.TarAtFar | Where-Object TargetFar -eq 0.1).Threshold

        # Recount every figure from the pairs Compare-FaceEmbedding scores.
        $sex = @{ id000 = 'F'; id001 = 'M'; id002 = 'F' }
        $t = $s[0].Threshold
        $pairs = @($script:embeddings | Compare-FaceEmbedding -Protocol AllPairs | Where-Object Status -eq 'Completed')
        foreach ($g in $s[0].Groups) {
            $genuine = @($pairs | Where-Object { $_.IsGenuine -and $sex[$_.ReferenceIdentity] -eq $g.Group })
            $g.GenuinePairs | Should -Be $genuine.Count
            $g.FalseNonMatches | Should -Be @($genuine | Where-Object { $_.Similarity -lt $t }).Count
            $g.FnmrLower | Should -BeLessOrEqual $g.Fnmr
            $g.FnmrUpper | Should -BeGreaterOrEqual $g.Fnmr
        }
        foreach ($cell in $s[0].FmrMatrix) {
            $between = @($pairs | Where-Object { -not $_.IsGenuine -and (@($sex[$_.ReferenceIdentity], $sex[$_.DifferenceIdentity]) -join '') -in @(($cell.GroupA + $cell.GroupB), ($cell.GroupB + $cell.GroupA)) })
            $cell.ImpostorPairs | Should -Be $between.Count
            $cell.FalseMatches | Should -Be @($between | Where-Object { $_.Similarity -ge $t }).Count
        }
        ($s[0].FmrMatrix | Measure-Object ImpostorPairs -Sum).Sum | Should -Be $r.Completed.ImpostorPairs
        $f = $s[0].Groups[0]
        $f.ImpostorPairs | Should -Be 12
        $f.OwnThreshold.IsSupported | Should -BeTrue
        $own = @($pairs | Where-Object { -not $_.IsGenuine -and $sex[$_.ReferenceIdentity] -eq 'F' -and $sex[$_.DifferenceIdentity] -eq 'F' } | Sort-Object Similarity -Descending)
        $f.OwnThreshold.FalseAccepts | Should -Be @($own | Where-Object { $_.Similarity -ge $f.OwnThreshold.Threshold }).Count
        $f.OwnThreshold.FalseAccepts | Should -BeLessOrEqual 1

        # The default views.
        $list = $s | Out-String -Width 200
        $list | Should -Match 'FnmrRatio'
        $list | Should -Match 'GroupBy\s*:\s*sex'
        ($s[0].Groups | Out-String -Width 200) | Should -Match 'TAR \(own threshold\)'
        ($s[0].FmrMatrix | Out-String -Width 200) | Should -Match 'FalseMatches'
    }

    It 'A column the metadata lacks, or -GroupBy without -Metadata, is a terminating error naming it' {
        $csv = Join-Path $script:work 'people.csv'
        { $script:embeddings | Measure-FaceVerification -Protocol AllPairs -Metadata $csv -GroupBy age -ErrorAction Stop } |
            Should -Throw -ErrorId 'MeasureFaceVerificationUnknownGroupColumn,InsightFaceEval.Commands.MeasureFaceVerificationCommand'
        { $script:embeddings | Measure-FaceVerification -Protocol AllPairs -GroupBy sex -ErrorAction Stop } |
            Should -Throw -ErrorId 'MeasureFaceVerificationGroupByNeedsMetadata,InsightFaceEval.Commands.MeasureFaceVerificationCommand'
    }
}
